/**
 * Dynamic batching: requests that arrive while the network is busy, or within `maxWaitMs` of
 * each other, run as one batch of up to `maxBatch`. The queue is bounded: a full queue refuses
 * at once (the server answers 503) instead of growing latency without limit.
 */
import { ResnetNativeError } from '../errors.js';

/** The queue holds `maxQueue` requests already: try again later. */
export class QueueFullError extends ResnetNativeError {}

/** Options of `DynamicBatcher`. */
export interface BatcherOptions {
  /** Most inputs per batch. */
  maxBatch: number;
  /** Longest an input waits for others before its batch starts, in milliseconds. */
  maxWaitMs: number;
  /** Most inputs waiting (not counting the batch running). */
  maxQueue: number;
}

interface Pending<I, O> {
  input: I;
  resolve(output: O): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
}

/** Groups `submit`ted inputs into batches for `run`, one batch at a time. */
export class DynamicBatcher<I, O> {
  readonly #queue: Array<Pending<I, O>> = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #idle: Array<() => void> = [];

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
    private readonly hooks: { onBatch?(size: number): void; onQueue?(length: number): void } = {},
  ) {}

  /** Inputs waiting for a batch. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** The output for `input`, computed in some batch; rejects with QueueFullError when the queue is full, or when `signal` aborts first. */
  submit(input: I, signal?: AbortSignal): Promise<O> {
    if (this.#queue.length >= this.options.maxQueue)
      return Promise.reject(
        new QueueFullError(`The queue is full (${this.options.maxQueue} requests waiting)`),
      );
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject, signal });
      this.hooks.onQueue?.(this.#queue.length);
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  drained(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running) return; // the running batch's end takes the queue
    if (this.#queue.length >= this.options.maxBatch) {
      this.#dispatch();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#dispatch(), this.options.maxWaitMs);
    }
  }

  #dispatch(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Requests that gave up (timed out, client gone) are not computed.
    const batch: Array<Pending<I, O>> = [];
    while (batch.length < this.options.maxBatch && this.#queue.length > 0) {
      const p = this.#queue.shift()!;
      if (p.signal?.aborted) p.reject(p.signal.reason);
      else batch.push(p);
    }
    this.hooks.onQueue?.(this.#queue.length);
    if (batch.length === 0) return this.#settle();
    this.#running = true;
    this.hooks.onBatch?.(batch.length);
    this.run(batch.map((p) => p.input))
      .then(
        (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.#running = false;
        // Whatever queued while the batch ran has waited long enough: it goes now.
        if (this.#queue.length > 0) this.#dispatch();
        else this.#settle();
      });
  }

  #settle(): void {
    if (this.#running || this.#queue.length > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
