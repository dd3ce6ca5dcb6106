/**
 * Trainer callbacks: begin and end events for the whole run, each epoch and each batch, awaited
 * in order (a callback may write files or talk to a server). A callback stops training with
 * `trainer.stop()`: the current epoch finishes its batch, is evaluated, checkpointed and
 * recorded, and `fit()` returns. EarlyStopping and BestCheckpoint are built on them.
 */
import { join } from 'node:path';
import { ArgumentError } from '../errors.js';
import { save } from '../io/weights.js';
import type { BatchEvent, EpochRecord, Trainer } from './trainer.js';

/** What a callback can hook; every method is optional and may return a promise. */
export interface Callback {
  /** Before the first epoch `fit()` runs. */
  onTrainBegin?(trainer: Trainer): void | Promise<void>;
  /** After the last epoch (or a stop), with the history. */
  onTrainEnd?(trainer: Trainer, history: readonly EpochRecord[]): void | Promise<void>;
  /** Before epoch `epoch` (from 1) starts. */
  onEpochBegin?(epoch: number, trainer: Trainer): void | Promise<void>;
  /** After an epoch's evaluation, checkpoint and metrics files. */
  onEpochEnd?(record: EpochRecord, trainer: Trainer): void | Promise<void>;
  /** Before a training batch's step. */
  onBatchBegin?(event: { epoch: number; batch: number }, trainer: Trainer): void | Promise<void>;
  /** After a training batch's step. */
  onBatchEnd?(event: BatchEvent, trainer: Trainer): void | Promise<void>;
}

type Event = keyof Callback;

/** @internal Calls `event` on every callback in order, awaiting each. */
export async function dispatch<E extends Event>(
  callbacks: readonly Callback[],
  event: E,
  ...args: Parameters<NonNullable<Callback[E]>>
): Promise<void> {
  for (const c of callbacks) {
    const fn = c[event] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.apply(c, args);
  }
}

/** A metric of an epoch record by path: 'eval.top1', 'train.loss', 'eval.custom.f1', 'lr'. */
export function metricOf(record: EpochRecord, path: string): number | undefined {
  let v: unknown = record;
  for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  return typeof v === 'number' ? v : undefined;
}

/** Which way a monitored metric improves, and by how much it must. */
export interface MonitorOptions {
  /** The metric, by path in the epoch record (default 'eval.loss'). */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies (default: 'max' when the path ends in top1/top5, else 'min'). */
  mode?: 'min' | 'max';
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
}

class Monitor {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  best: number | undefined;
  constructor(o: MonitorOptions) {
    this.monitor = o.monitor ?? 'eval.loss';
    this.mode = o.mode ?? (/top[15]$/.test(this.monitor) ? 'max' : 'min');
    this.minDelta = o.minDelta ?? 0;
  }
  /** Whether `record` improves on the best so far (and records it). */
  improves(record: EpochRecord): boolean {
    const v = metricOf(record, this.monitor);
    if (v === undefined)
      throw new ArgumentError(
        `Expected the epoch record to have the metric '${this.monitor}' but it has none (is there an evalLoader?)`,
      );
    const better =
      this.best === undefined ||
      (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) this.best = v;
    return better;
  }
}

/** Stops training when the monitored metric has not improved for `patience` epochs (default 3). */
export class EarlyStopping extends Monitor implements Callback {
  readonly patience: number;
  #waited = 0;
  /** The epoch at which training was stopped, if it was. */
  stoppedEpoch: number | undefined;
  constructor(options: MonitorOptions & { patience?: number } = {}) {
    super(options);
    this.patience = options.patience ?? 3;
  }
  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if (this.improves(record)) this.#waited = 0;
    else if (++this.#waited >= this.patience) {
      this.stoppedEpoch = record.epoch;
      trainer.stop();
    }
  }
}

/** Keeps the weights of the best epoch by the monitored metric (default 'eval.top1') as a .safetensors file. */
export class BestCheckpoint extends Monitor implements Callback {
  /** The epoch whose weights the file holds. */
  bestEpoch: number | undefined;
  /** `path`: the file (default: best.safetensors in the trainer's outDir). */
  constructor(private readonly options: MonitorOptions & { path?: string } = {}) {
    super({ monitor: 'eval.top1', ...options });
  }
  async onEpochEnd(record: EpochRecord, trainer: Trainer): Promise<void> {
    if (!this.improves(record)) return;
    const path =
      this.options.path ??
      (trainer.options.outDir === undefined ? undefined : join(trainer.options.outDir, 'best.safetensors'));
    if (path === undefined) throw new ArgumentError('BestCheckpoint needs a path or a Trainer with outDir');
    await save(trainer.options.model.stateDict(), path, {
      metadata: { epoch: String(record.epoch), [this.monitor]: String(this.best) },
    });
    this.bestEpoch = record.epoch;
  }
}
