/** Process-wide controls: seeds, threads, grad mode, scoped disposal, memory, devices. */
import { native } from './binding.js';
import { Tensor, handleOf, wrap } from './tensor.js';
import { closeScope, openScope } from './scope.js';
import { checkBool, checkInt, fail } from './validate.js';

/** Seeds libtorch's generators (CPU and CUDA); randn/rand then match PyTorch's numbers. */
export function manualSeed(seed: number): void {
  native.manualSeed(checkInt('seed', seed, 0));
}

/** The CPU generator's state (a uint8 tensor), for exact resumption. */
export function getRngState(): Tensor<'uint8'> {
  return wrap(native.getRngState());
}

/** Restores the CPU generator's state from a tensor returned by `getRngState()`. */
export function setRngState(state: Tensor): void {
  native.setRngState(handleOf(state, 'state'));
}

/** Intra-op threads. The default is the number of cores this process may use. */
export function setNumThreads(threads: number): void {
  native.setNumThreads(checkInt('threads', threads, 1));
}

/** The number of intra-op threads libtorch uses (see `setNumThreads`). */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * The niceness (0-19, as Unix `nice`) of the native thread that runs replays (`forwardAsync`,
 * the Trainer's captured steps) and of its intra-op workers. Above 0 they give way to the
 * JavaScript thread whenever both want a core, so the event loop keeps answering while a batch
 * computes; `serve` sets 10. It applies to replays that start a fresh replay thread: the one in
 * use retires after 2 ms idle. Linux only; elsewhere, or where refused, it has no effect.
 */
export function setReplayNice(nice: number): void {
  if (typeof nice !== 'number' || !Number.isInteger(nice) || nice < 0 || nice > 19)
    fail('nice', 'an integer from 0 to 19', nice);
  native.setReplayNice(nice);
}

/** The niceness set by `setReplayNice` (0 by default). */
export function getReplayNice(): number {
  return native.getReplayNice();
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  if (typeof fn !== 'function') fail('fn', 'a function', fn);
  const previous = native.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs `fn` with gradient recording off and returns its result. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording on (inside a noGrad, for example). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Whether operations currently record gradients (false inside `noGrad`), as `torch.is_grad_enabled`. */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Turns gradient recording on or off for what follows, as `torch.set_grad_enabled`. */
export function setGradEnabled(enabled: boolean): void {
  native.setGradEnabled(checkBool('enabled', enabled));
}

/** Every Tensor reachable from `value` through arrays and plain objects. */
function collectTensors(value: unknown, out: Set<unknown>, depth = 0): Set<unknown> {
  if (value instanceof Tensor) out.add(value);
  else if (depth < 8 && Array.isArray(value)) for (const v of value) collectTensors(v, out, depth + 1);
  else if (
    depth < 8 &&
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) collectTensors(v, out, depth + 1);
  }
  return out;
}

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (as a
 * Tensor, or inside arrays and plain objects), as tfjs's tidy. Not for async functions:
 * tensors created after the first await would escape the scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') fail('fn', 'a function', fn);
  const scope = openScope();
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) fail('fn', 'a synchronous function (tidy cannot follow an await)', result);
    return result;
  } finally {
    closeScope(scope, collectTensors(result, new Set()));
  }
}

/** Counts of the tensors that JavaScript holds, from `memory()`; for finding leaks. */
export interface MemoryInfo {
  /** Tensors that JavaScript holds and has not disposed. */
  liveTensors: number;
  /** Bytes of the distinct CPU storages behind them (views count once). */
  cpuBytes: number;
  /** Bytes of the distinct CUDA storages behind them (views count once). */
  cudaBytes: number;
  /**
   * Bytes of freed large CPU blocks the addon keeps for the next steps' requests (at most the
   * most it held live at once; RSS counts them); `emptyCpuCache()` returns them.
   */
  cpuCachedBytes: number;
}

/** The live tensors and their bytes right now (tensors not yet disposed), and the CPU cache. */
export function memory(): MemoryInfo {
  return native.memory();
}

/**
 * Returns the freed large CPU blocks kept for reuse to the system (as `torch.cuda.empty_cache`
 * does for CUDA): for a server whose peak (a large batch) has passed. The next steps map again.
 */
export function emptyCpuCache(): void {
  native.emptyCpuCache();
}

export { cuda } from './cuda.js';
