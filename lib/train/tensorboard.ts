/**
 * TensorBoard event files (`events.out.tfevents.<time>.<host>`), so that
 * `tensorboard --logdir runs` shows a run's curves. Scalars only; appended as they come, one
 * write at a time in order.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ArgumentError } from '../errors.js';
import type { Callback } from './callbacks.js';
import { eventBytes, tfRecord } from './tfrecord.js';
import type { BatchEvent, EpochRecord } from './trainer.js';

/** Writes scalar summaries to a new event file in `dir` (which must exist). */
export class TensorBoardWriter {
  /** The event file's path. */
  readonly path: string;
  #queue: Promise<void>;

  constructor(dir: string) {
    const now = Date.now() / 1000;
    this.path = join(dir, `events.out.tfevents.${Math.floor(now)}.${hostname()}`);
    this.#queue = writeFile(this.path, tfRecord(eventBytes(now, 0, { fileVersion: 'brain.Event:2' })));
  }

  /** Records `value` of the curve `tag` (e.g. 'train/loss') at `step`. */
  addScalar(tag: string, value: number, step: number): Promise<void> {
    return this.addScalars([[tag, value]], step);
  }

  /** Records several curves at one step, in one event. */
  addScalars(scalars: Array<[string, number]>, step: number): Promise<void> {
    if (!Number.isSafeInteger(step) || step < 0)
      throw new ArgumentError(`Expected a non-negative integer for step but received ${step}`);
    const record = tfRecord(eventBytes(Date.now() / 1000, step, { scalars }));
    this.#queue = this.#queue.then(() => appendFile(this.path, record));
    return this.#queue;
  }

  /** Resolves once everything added is on disk. */
  flush(): Promise<void> {
    return this.#queue;
  }
}

/**
 * The Trainer's TensorBoard curves: per batch `train/batch_loss` and `lr` (the step counts
 * batches), per epoch `train/loss`, `train/top1`, `eval/loss`, `eval/top1`, `eval/top5` and
 * custom metrics (the step counts epochs).
 */
export class TensorBoardLogger implements Callback {
  #writer: TensorBoardWriter | undefined;
  /** The first failed per-batch write: batches do not wait for their writes, the epoch's end does. */
  #failed: unknown;
  constructor(private readonly dir: string) {}

  /** The event file, once training has begun. */
  get path(): string | undefined {
    return this.#writer?.path;
  }
  onTrainBegin(): void {
    this.#writer ??= new TensorBoardWriter(this.dir);
  }
  onBatchEnd(e: BatchEvent): void {
    const step = (e.epoch - 1) * e.batches + e.batch;
    this.#writer
      ?.addScalars(
        [
          ['train/batch_loss', e.loss],
          ['lr', e.lr],
        ],
        step,
      )
      .catch((error: unknown) => {
        this.#failed ??= error;
      });
  }
  #rethrow(): void {
    if (this.#failed === undefined) return;
    const error = this.#failed;
    this.#failed = undefined;
    throw error;
  }
  async onEpochEnd(r: EpochRecord): Promise<void> {
    const scalars: Array<[string, number]> = [['epoch/lr', r.lr]];
    for (const [phase, m] of [
      ['train', r.train],
      ['eval', r.eval],
    ] as const) {
      if (m === undefined) continue;
      scalars.push([`${phase}/loss`, m.loss], [`${phase}/top1`, m.top1], [`${phase}/top5`, m.top5]);
      for (const [name, v] of Object.entries(m.custom ?? {})) scalars.push([`${phase}/${name}`, v]);
    }
    this.#rethrow();
    await this.#writer?.addScalars(scalars, r.epoch);
  }
  async onTrainEnd(): Promise<void> {
    await this.#writer?.flush();
    this.#rethrow();
  }
}
