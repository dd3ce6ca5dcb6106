/**
 * `forwardAsync` and `optimizeForInference`: a module's eager `forward` is captured once per
 * input signature and module state, then replayed natively (lib/capture.ts): off the
 * JavaScript thread for `forwardAsync`, on it for an optimized module's `forward`. The first
 * call with a new signature runs eagerly (on this thread) while it records; later calls replay.
 * Replays take the inference fast path (native/fast_pass.h) unless it is turned off.
 */
import { native } from '../binding.js';
import { ProgramCache, capture, type CapturedProgram } from '../capture.js';
import { ArgumentError } from '../errors.js';
import { noGrad } from '../runtime.js';
import { Tensor, handleOf } from '../tensor.js';
import { describe } from '../describe.js';
import { anyAutocast } from '../amp/state.js';
import { checkBool, checkOptions } from '../validate.js';
import { fingerprint, modeKey, signature } from './capture_key.js';
import type { Module } from './module.js';

/** Options of `Module.forwardAsync`. */
export interface ForwardAsyncOptions {
  /**
   * Replay through the inference fast path (batch norm folded into convolutions, ReLU and
   * residual adds fused, weights prepacked; results equal within float32 rounding). Default true.
   */
  fastPath?: boolean;
}

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

/**
 * The program for `x` on `module`, or, on the first call for this key, the eager result while
 * the program is captured for the next calls. `forward` is the module's own (unoptimized) one.
 */
function programFor(
  module: Module,
  forward: (x: Tensor) => Tensor,
  x: Tensor,
  fast: boolean,
): { program: CapturedProgram } | { result: Tensor } {
  handleOf(x, 'input');
  const key = `${fast ? 'fast' : 'plain'}|${signature(x)}|${modeKey()}|${fingerprint(module)}`;
  let cache = programs.get(module);
  if (cache === undefined) programs.set(module, (cache = new ProgramCache(maxPrograms)));
  const entry = cache.get(key);
  if (entry !== undefined) return entry;
  const { result, program: captured } = noGrad(() =>
    capture(
      [x],
      () => outputOf(module, forward(x)),
      (r) => [r],
    ),
  );
  let program = captured;
  if (fast) {
    program = captured.prepareInference();
    captured.dispose();
  }
  cache.set(key, { program });
  return { result };
}

/**
 * On the fast path, the first call for a key answers as every later call will: with the fast
 * program's result, not the eager run's that captured it (they differ by float32 rounding), so
 * that a result never depends on whether its key was seen before.
 */
function settled(
  found: { program: CapturedProgram } | { result: Tensor },
  fast: boolean,
  again: () => { program: CapturedProgram } | { result: Tensor },
): { program: CapturedProgram } | { result: Tensor } {
  if (!fast || !('result' in found)) return found;
  found.result.dispose();
  return again(); // now cached: the program
}

/** @internal Module.forwardAsync. */
export async function forwardAsync(
  module: Module,
  x: Tensor,
  options: ForwardAsyncOptions = {},
): Promise<Tensor> {
  const o = checkOptions('options', options);
  const requested = o.fastPath === undefined ? true : checkBool('options.fastPath', o.fastPath);
  // The fused convolutions run in float32: under autocast the plain replay keeps its casts.
  const fast = requested && !anyAutocast();
  const forward = (t: Tensor) => module.forward(t);
  const found = settled(programFor(module, forward, x, fast), fast, () =>
    programFor(module, forward, x, fast),
  );
  if ('result' in found) return found.result;
  const { outputs } = await found.program.run([x]);
  return outputs[0]!;
}

const optimized = new WeakSet<Module>();

/**
 * @internal Module.optimizeForInference: from now on, `forward` in eval mode replays the fast
 * program on this thread (training mode, an input that requires grad, and a capture under way
 * run the eager forward).
 */
export function optimizeForInference(module: Module): void {
  if (optimized.has(module)) return;
  optimized.add(module);
  const plain = module.forward.bind(module);
  Object.defineProperty(module, 'forward', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: (x: Tensor): Tensor => {
      if (
        module.training ||
        !(x instanceof Tensor) ||
        x.requiresGrad ||
        native.isCapturing() ||
        anyAutocast()
      )
        return plain(x);
      const found = settled(programFor(module, plain, x, true), true, () =>
        programFor(module, plain, x, true),
      );
      if ('result' in found) return found.result;
      return found.program.runSync([x])[0]!;
    },
  });
}

/** @internal Drops a module's captured programs (Module.dispose, Module.clearCaptures). */
export function clearCaptures(module: Module): void {
  programs.get(module)?.clear();
  programs.delete(module);
}
