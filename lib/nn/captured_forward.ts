/**
 * `forwardAsync`: a module's eager `forward` is captured once per input signature and module
 * state, then replayed natively off the JavaScript thread (lib/capture.ts). The first call
 * with a new signature runs eagerly (on this thread) while it records; later calls replay.
 */
import { ProgramCache, capture, type CapturedProgram } from '../capture.js';
import { ArgumentError } from '../errors.js';
import { noGrad } from '../runtime.js';
import { Tensor, handleOf } from '../tensor.js';
import { describe } from '../describe.js';
import { fingerprint, modeKey, signature } from './capture_key.js';
import type { Module } from './module.js';

/** Programs kept per module: enough for a few batch sizes and both modes, not unbounded. */
const maxPrograms = 8;

const programs = new WeakMap<Module, ProgramCache<{ program: CapturedProgram }>>();

function outputOf(module: Module, result: unknown): Tensor {
  if (!(result instanceof Tensor))
    throw new ArgumentError(
      `Expected ${module.constructor.name}.forward to return a Tensor but it returned ${describe(result)}`,
    );
  return result;
}

/** @internal Module.forwardAsync. */
export async function forwardAsync(module: Module, x: Tensor): Promise<Tensor> {
  handleOf(x, 'input');
  const key = `${signature(x)}|${modeKey()}|${fingerprint(module)}`;
  let cache = programs.get(module);
  if (cache === undefined) programs.set(module, (cache = new ProgramCache(maxPrograms)));
  const program = cache.get(key)?.program;
  if (program === undefined) {
    const { result, program: captured } = noGrad(() =>
      capture(
        [x],
        () => outputOf(module, module.forward(x)),
        (r) => [r],
      ),
    );
    cache.set(key, { program: captured });
    return result;
  }
  const { outputs } = await program.run([x]);
  return outputs[0]!;
}

/** @internal Drops a module's captured programs (Module.dispose, Module.clearCaptures). */
export function clearCaptures(module: Module): void {
  programs.get(module)?.clear();
  programs.delete(module);
}
