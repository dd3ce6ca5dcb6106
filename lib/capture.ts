/**
 * Capture and replay (native/capture.h). `capture` runs a function eagerly while the addon
 * records every op it calls; the resulting program replays those ops on the addon's executor
 * thread, with no JavaScript involved, for new inputs of the same signature.
 */
import { native, type Handle, type ProgramHandle } from './binding.js';
import { withCallSite } from './call_site.js';
import { ResnetNativeError } from './errors.js';
import { handleOf, wrap, type Tensor } from './tensor.js';

/** A program captured from eager code; replay it with `run`. */
export class CapturedProgram {
  #handle: ProgramHandle | null;

  /** @internal */
  constructor(handle: ProgramHandle) {
    this.#handle = handle;
  }

  /** The recorded op names, in order (for tests and diagnostics). */
  get steps(): string[] {
    return native.programInfo(this.#live()).steps;
  }

  /**
   * Replays the program on `inputs` (same shapes, strides, dtypes and devices as at capture)
   * off the JavaScript thread. `numbers` are the per-call numbers the capture marked dynamic;
   * with `readItems`, each one-element output is also read back as a number on that thread.
   */
  async run(
    inputs: readonly Tensor[],
    numbers: readonly number[] = [],
    readItems = false,
  ): Promise<{ outputs: Array<Tensor | null>; items: number[] | null }> {
    const handles = inputs.map((t, i) => handleOf(t, `inputs[${i}]`));
    const [outs, items] = await withCallSite('replay', () =>
      native.runCaptured(this.#live(), handles, [...numbers], readItems),
    );
    return { outputs: outs.map((h) => (h === null ? null : wrap(h))), items };
  }

  /**
   * @internal The inference fast path of this program (native/fast_pass.h): batch norm folded
   * into the convolution before it, ReLU and residual adds fused into it, weights prepacked
   * once and refolded whenever they change. This program itself when there is nothing to fuse.
   */
  prepareInference(): CapturedProgram {
    return new CapturedProgram(native.prepareInference(this.#live()));
  }

  /** @internal Replays the program on this thread (the synchronous fast path). */
  runSync(inputs: readonly Tensor[]): Array<Tensor | null> {
    const handles = inputs.map((t, i) => handleOf(t, `inputs[${i}]`));
    return native.runProgram(this.#live(), handles).map((h) => (h === null ? null : wrap(h)));
  }

  /** Frees the program's hold on its tensors now (replays in flight finish first). */
  dispose(): void {
    if (this.#handle !== null) native.disposeProgram(this.#handle);
    this.#handle = null;
  }

  #live(): ProgramHandle {
    if (this.#handle === null) throw new ResnetNativeError('The captured program was disposed');
    return this.#handle;
  }
}

/**
 * Runs `fn` eagerly while recording it. `inputs` become the program's inputs (a replay takes
 * new tensors in their place); any other tensor `fn` reads (parameters, buffers) is held by the
 * program as it is, so later in-place updates are seen. Returns `fn`'s result and the program
 * whose outputs are `outputs(result)`. A call that cannot be replayed (reading values with
 * item() or dataSync(), seeding) throws ArgumentError and nothing is captured. `numbers` bounds
 * the per-call numbers (dynamic numbers, for a training step's learning rate) the code may use
 * and says how many it used.
 */
export function capture<T>(
  inputs: readonly Tensor[],
  fn: () => T,
  outputs: (result: T) => readonly Tensor[],
  numbers: { max: number; used: (result: T) => number } = { max: 0, used: () => 0 },
): { result: T; program: CapturedProgram } {
  native.beginCapture(
    inputs.map((t, i) => handleOf(t, `inputs[${i}]`)),
    numbers.max,
  );
  let handles: Handle[];
  let result: T;
  let used: number;
  try {
    result = fn();
    handles = outputs(result).map((t, i) => handleOf(t, `outputs[${i}]`));
    used = numbers.used(result);
  } catch (error) {
    native.abortCapture();
    throw error;
  }
  return { result, program: new CapturedProgram(native.endCapture(handles, used)) };
}

/**
 * @internal Captured programs by key, least recently used evicted (and disposed) beyond `max`:
 * enough for a few batch sizes and modes, never unbounded.
 */
export class ProgramCache<V extends { program: CapturedProgram }> {
  readonly #entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  /** The entry for `key`, now the most recently used. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: V): void {
    this.#entries.set(key, entry);
    if (this.#entries.size > this.max) {
      const [oldestKey, oldest] = this.#entries.entries().next().value as [string, V];
      this.#entries.delete(oldestKey);
      oldest.program.dispose();
    }
  }

  /** Disposes every program. */
  clear(): void {
    for (const e of this.#entries.values()) e.program.dispose();
    this.#entries.clear();
  }
}
