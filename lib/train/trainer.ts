/**
 * The training loop: epochs of train and eval phases with loss, top-1/top-5 accuracy and
 * images/s, a checkpoint after each epoch (and every N batches if asked), exact resumption,
 * and a stop with a clear error when the loss stops being finite.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataLoader } from '../data/dataloader.js';
import type { Device } from '../dtype.js';
import { ArgumentError, ResnetNativeError } from '../errors.js';
import { makeFolder } from '../io/folder.js';
import { crossEntropy } from '../nn/functional.js';
import type { Module } from '../nn/module.js';
import type { LRScheduler } from '../optim/lr_scheduler.js';
import { OneCycleLR } from '../optim/one_cycle.js';
import type { Optimizer } from '../optim/optimizer.js';
import { noGrad, tidy } from '../runtime.js';
import { checkInt } from '../validate.js';
import type { MemoryFormat, Tensor } from '../tensor.js';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';
import { metadataEntriesIfResNet, saveModel, type ModelInfo } from '../model_file/load_model.js';
import { CapturedStep } from './captured_step.js';
import { MetricsMeter, type PhaseMetrics } from './metrics.js';
import { writePlot } from './plot.js';

/** Training stopped because the loss became NaN or infinite. */
export class TrainingDivergedError extends ResnetNativeError {}

/** One finished epoch, as `fit()` returns it and metrics.jsonl records it. */
export interface EpochRecord {
  /** The epoch number, from 1. */
  epoch: number;
  /** Learning rate of the first parameter group at the end of the epoch. */
  lr: number;
  /** Metrics of the training phase. */
  train: PhaseMetrics;
  /** Metrics over `evalLoader`, when one is given. */
  eval?: PhaseMetrics;
}

/** Progress after one training batch, passed to `onBatch`. */
export interface BatchEvent {
  /** The epoch number, from 1. */
  epoch: number;
  /** The batch number within the epoch, from 1. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** This batch's mean loss. */
  loss: number;
  /** Training throughput so far in this epoch. */
  imagesPerSec: number;
}

/** What `Trainer` trains, with what, and for how long. */
export interface TrainerOptions {
  /** The model to train (the trainer does not move it: put it on `device` first). */
  model: Module;
  /** The optimizer over the model's parameters. */
  optimizer: Optimizer<{ lr: number }>;
  /** Learning-rate schedule, stepped as `schedulerStep` says. */
  scheduler?: LRScheduler;
  /**
   * When the schedule steps: after every batch or after every epoch. The default follows
   * PyTorch's conventions: every batch for OneCycleLR (its steps are batches), every epoch for
   * the others (StepLR's `stepSize`, MultiStepLR's milestones and CosineAnnealingLR's `tMax`
   * count epochs in PyTorch's examples and torchvision's reference scripts).
   */
  schedulerStep?: 'batch' | 'epoch';
  /** Training batches (`{ input, target }` with class-index targets). */
  trainLoader: DataLoader;
  /** Batches evaluated after each epoch, when given. */
  evalLoader?: DataLoader;
  /** Total epochs to train (a resumed trainer runs only the remaining ones). */
  epochs: number;
  /** Label smoothing of the cross-entropy loss (default 0), as PyTorch's `label_smoothing`. */
  labelSmoothing?: number;
  /** Where checkpoint.safetensors, metrics.jsonl and metrics.svg go. */
  outDir?: string;
  /** Also checkpoint every this many batches (0: only at epoch ends). */
  checkpointEvery?: number;
  /** Device each batch is moved to (default: batches stay where the loader made them). */
  device?: Device;
  /** Layout of the input batches; 'channels_last' (with the model moved to it) runs oneDNN's faster CPU kernels. */
  memoryFormat?: MemoryFormat;
  /**
   * Submodules kept in eval mode while the rest trains: for a frozen backbone's batch norm
   * layers, so that their running statistics are frozen as well as their weights (as
   * fine-tuning guides do), in every epoch.
   */
  evalModules?: Module[];
  /** Called after every training batch. */
  onBatch?: (event: BatchEvent) => void;
  /** Called after every epoch, once its record and checkpoint are written. */
  onEpoch?: (record: EpochRecord) => void;
  /**
   * Run the training step natively, captured from its TypeScript and replayed off the JavaScript
   * thread (default true). Set false for a model whose forward cannot be captured (one that reads
   * tensor values into JavaScript): every step then runs eagerly, blocking the event loop.
   */
  captureSteps?: boolean;
  /**
   * What the model's files record beyond its structure (class names, preprocessing): written
   * into `saveModel`'s file and the checkpoint's header, so that `loadModel` needs no flags.
   */
  modelInfo?: ModelInfo;
}

/** A supervised classification loop with cross-entropy loss: `new Trainer(options).fit()` trains for `epochs`, evaluating, checkpointing and logging metrics after each epoch. */
export class Trainer {
  /** The records of the finished epochs. */
  readonly history: EpochRecord[] = [];
  private state: TrainingState = { epoch: 0, batch: 0 };
  #step: CapturedStep | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Whether checkpointPath holds a checkpoint of this run (written, or resumed from). */
  #checkpointed = false;
  readonly #schedulerStep: 'batch' | 'epoch';

  constructor(readonly options: TrainerOptions) {
    checkInt('epochs', options.epochs, 0);
    const { length, batchSize, dropLast, dataset } = options.trainLoader;
    if (length === 0)
      throw new ArgumentError(
        `Expected a trainLoader with at least one batch but its epoch has 0 batches (${dataset.length} examples, batchSize ${batchSize}${dropLast ? ', dropLast' : ''})`,
      );
    this.#schedulerStep =
      options.schedulerStep ?? (options.scheduler instanceof OneCycleLR ? 'batch' : 'epoch');
  }

  /** `outDir/checkpoint.safetensors`, or undefined without `outDir`. */
  get checkpointPath(): string | undefined {
    return this.options.outDir === undefined
      ? undefined
      : join(this.options.outDir, 'checkpoint.safetensors');
  }

  /** Continues from a checkpoint written by this trainer (or another with the same setup). */
  async resume(path: string): Promise<TrainingState> {
    const { model, optimizer, scheduler } = this.options;
    this.state = await loadCheckpoint(path, model, optimizer);
    if (scheduler !== undefined && this.state.scheduler !== undefined) {
      scheduler.loadStateDict(this.state.scheduler as { lastEpoch: number });
    }
    this.history.splice(0, this.history.length, ...((this.state.extra as EpochRecord[] | undefined) ?? []));
    this.#checkpointed = true;
    return this.state;
  }

  /** Trains the remaining epochs (after each: evaluation with `evalLoader`; checkpoint and metrics files with `outDir`) and returns the history. Throws TrainingDivergedError when the loss stops being finite. */
  async fit(): Promise<EpochRecord[]> {
    const { epochs, outDir, evalLoader } = this.options;
    if (outDir !== undefined) await makeFolder(outDir);
    while (this.state.epoch < epochs) {
      const epoch = this.state.epoch;
      const train = await this.trainEpoch(epoch, this.state.batch);
      if (this.#schedulerStep === 'epoch') this.options.scheduler?.step();
      const record: EpochRecord = {
        epoch: epoch + 1,
        lr: this.options.optimizer.paramGroups[0]!.options.lr,
        train,
      };
      if (evalLoader !== undefined) record.eval = await this.evaluate(evalLoader);
      this.history.push(record);
      this.state = { epoch: epoch + 1, batch: 0 };
      await this.checkpoint();
      if (outDir !== undefined) {
        await appendFile(join(outDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
        await writePlot(join(outDir, 'metrics.svg'), this.history);
      }
      this.options.onEpoch?.(record);
    }
    return this.history;
  }

  /** Writes the model's weights to `path` with the metadata that describes it (see `saveModel`). */
  async saveModel(path: string): Promise<void> {
    await saveModel(this.options.model, path, this.options.modelInfo);
  }

  private async checkpoint(): Promise<void> {
    const path = this.checkpointPath;
    if (path === undefined) return;
    const { model, optimizer, scheduler } = this.options;
    await saveCheckpoint(
      path,
      model,
      optimizer,
      {
        ...this.state,
        scheduler: scheduler?.stateDict(),
        extra: this.history,
      },
      metadataEntriesIfResNet(model, this.options.modelInfo),
    );
    this.#checkpointed = true;
  }

  private toDevice(t: Tensor): Tensor {
    const { device, memoryFormat } = this.options;
    let out = t;
    if (device !== undefined && device !== 'cpu') out = t.to(device);
    if (memoryFormat === 'channels_last' && out.ndim === 4) {
      const laidOut = out.contiguous('channels_last');
      if (out !== t) out.dispose();
      out = laidOut;
    }
    if (out !== t) t.dispose();
    return out;
  }

  private async trainEpoch(epoch: number, startBatch: number): Promise<PhaseMetrics> {
    const {
      model,
      optimizer,
      scheduler,
      trainLoader,
      labelSmoothing = 0,
      checkpointEvery = 0,
    } = this.options;
    model.train();
    for (const m of this.options.evalModules ?? []) m.eval();
    const meter = new MetricsMeter();
    this.#step ??= new CapturedStep(
      model,
      optimizer,
      (logits, y) => crossEntropy(logits, y, { labelSmoothing }),
      this.options.captureSteps ?? true,
    );
    const batches = trainLoader.epoch(epoch, startBatch);
    let next = batches.next();
    for (let item = await next; item.done !== true; item = await next) {
      const { input, target, index } = item.value;
      const x = this.toDevice(input);
      const y = this.toDevice(target);
      const running = this.#step.run(x, y);
      next = batches.next(); // the next batch is made while the step runs natively
      const { loss, logits } = await running;
      if (Number.isFinite(loss)) meter.update(logits, y, loss);
      logits.dispose();
      x.dispose();
      y.dispose();
      if (!Number.isFinite(loss)) {
        await batches.return(undefined);
        await this.#writing; // the last good checkpoint is on disk before the error is seen
        throw new TrainingDivergedError(
          `The training loss became ${loss} at epoch ${epoch + 1}, batch ${index + 1}; training stopped. ` +
            (this.#checkpointed
              ? `The last good checkpoint is kept at ${this.checkpointPath}. `
              : 'No checkpoint had been written yet. ') +
            'Try a lower learning rate or a warm-up.',
        );
      }
      if (this.#schedulerStep === 'batch') scheduler?.step();
      const m = meter.result();
      this.options.onBatch?.({
        epoch: epoch + 1,
        batch: index + 1,
        batches: trainLoader.length,
        loss,
        imagesPerSec: m.imagesPerSec,
      });
      if (checkpointEvery > 0 && (index + 1) % checkpointEvery === 0 && index + 1 < trainLoader.length) {
        this.state = { epoch, batch: index + 1 };
        // The checkpoint's bytes are taken now, synchronously; the file is written while the
        // next steps run (one write in flight at a time).
        await this.#writing;
        this.#writing = this.checkpoint();
      }
    }
    await this.#writing;
    return meter.result();
  }

  /** Loss and accuracy of the model (in eval mode) over `loader`; each module's mode is restored after. */
  async evaluate(loader: DataLoader): Promise<PhaseMetrics> {
    const { model, labelSmoothing = 0 } = this.options;
    // Parents before children (namedModules' order), so that restoring a parent's mode, which
    // sets its children's too, is followed by each child's own.
    const modes = model.modules().map((m) => [m, m.training] as const);
    model.eval();
    try {
      const meter = new MetricsMeter();
      for await (const { input, target } of loader.epoch(0)) {
        const x = this.toDevice(input);
        const y = this.toDevice(target);
        const logits = await model.forwardAsync(x); // replayed off the JavaScript thread
        noGrad(() => tidy(() => meter.update(logits, y, crossEntropy(logits, y, { labelSmoothing }).item())));
        logits.dispose();
        x.dispose();
        y.dispose();
      }
      return meter.result();
    } finally {
      for (const [m, training] of modes) m.train(training);
    }
  }
}
