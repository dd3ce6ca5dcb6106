/**
 * `forwardAsync`: a module's eager `forward` is captured once per input signature and module
 * state, then replayed natively off the JavaScript thread (lib/capture.ts). The first call
 * with a new signature runs eagerly (on this thread) while it records; later calls replay.
 */
import { native } from '../binding.js';
import { CapturedProgram, capture } from '../capture.js';
import { ArgumentError } from '../errors.js';
import { noGrad } from '../runtime.js';
import { structureEpoch } from '../structure.js';
import { Tensor, handleOf } from '../tensor.js';
import { describe } from '../describe.js';
import type { Module } from './module.js';

/** Programs kept per module: enough for a few batch sizes and both modes, not unbounded. */
const maxPrograms = 8;

const programs = new WeakMap<Module, Map<string, CapturedProgram>>();
const fingerprints = new WeakMap<Module, { epoch: number; value: string }>();
const tensorIds = new WeakMap<Tensor, number>();
let nextTensorId = 0;

function idOf(t: Tensor): number {
  let id = tensorIds.get(t);
  if (id === undefined) tensorIds.set(t, (id = nextTensorId++));
  return id;
}

/** What a captured forward depends on besides its input: modes, and which tensors, of what kind. */
function fingerprint(module: Module): string {
  const epoch = structureEpoch();
  const cached = fingerprints.get(module);
  if (cached?.epoch === epoch) return cached.value;
  const parts: string[] = [];
  for (const [name, m] of module.namedModules()) parts.push(`${name}:${m.training ? 't' : 'e'}`);
  for (const [name, t] of [...module.namedParameters(), ...module.namedBuffers()])
    parts.push(`${name}#${idOf(t)}:${t.dtype}:${t.device}:${t.requiresGrad ? 1 : 0}:${t.shape.join('x')}`);
  const value = parts.join('|');
  fingerprints.set(module, { epoch, value });
  return value;
}

function signature(x: Tensor): string {
  const h = x._h;
  return `${x.shape.join('x')}/${native.strides(h).join(',')}:${x.dtype}:${x.device}:${x.requiresGrad ? 1 : 0}`;
}

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
  const key = `${signature(x)}|${fingerprint(module)}`;
  let cache = programs.get(module);
  if (cache === undefined) programs.set(module, (cache = new Map()));
  const program = cache.get(key);
  if (program === undefined) {
    const { result, program: captured } = noGrad(() =>
      capture(
        [x],
        () => outputOf(module, module.forward(x)),
        (r) => [r],
      ),
    );
    cache.set(key, captured);
    if (cache.size > maxPrograms) {
      const [oldestKey, oldest] = cache.entries().next().value as [string, CapturedProgram];
      cache.delete(oldestKey);
      oldest.dispose();
    }
    return result;
  }
  cache.delete(key); // most recently used last
  cache.set(key, program);
  const { outputs } = await program.run([x]);
  return outputs[0]!;
}

/** @internal Drops a module's captured programs (Module.dispose, Module.clearCaptures). */
export function clearCaptures(module: Module): void {
  for (const p of programs.get(module)?.values() ?? []) p.dispose();
  programs.delete(module);
}
