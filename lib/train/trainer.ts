/**
 * The training loop: epochs of train and eval phases with loss, top-1/top-5 accuracy and
 * images/s, a checkpoint after each epoch (and every N batches if asked), exact resumption,
 * and a stop with a clear error when the loss stops being finite.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveTrainerAmp, type TrainerAmp } from '../amp/trainer_amp.js';
import type { Batch, DataLoader } from '../data/dataloader.js';
import { Rng } from '../data/rng.js';
import { backends } from '../backends.js';
import { type ResolvedDevice, resolveDevice } from '../device.js';
import { ArgumentError, ResnetNativeError } from '../errors.js';
import { makeFolder } from '../io/folder.js';
import { crossEntropy } from '../nn/functional.js';
import type { Module } from '../nn/module.js';
import { SequentialLR, type LRScheduler } from '../optim/lr_scheduler.js';
import { OneCycleLR } from '../optim/one_cycle.js';
import { noGrad, tidy } from '../runtime.js';
import { checkBool, checkInt } from '../validate.js';
import type { Tensor } from '../tensor.js';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';
import { metadataEntriesIfResNet, saveModel } from '../model_file/load_model.js';
import { CapturedStep } from './captured_step.js';
import { MetricsMeter, type PhaseMetrics } from './metrics.js';
import { dispatch, type Callback } from './callbacks.js';
import type { EpochRecord, TrainerOptions } from './trainer_options.js';
import { TensorBoardLogger } from './tensorboard.js';
import { clipGradNorm_ } from '../optim/clip_grad.js';
import { checkRange } from '../optim/optimizer.js';
import { writePlot } from './plot.js';
import { DistributedDataParallel, type DistributedDataParallelOptions } from '../distributed/ddp.js';
import { explainFailure, getRank, getWorldSize, isInitialized } from '../distributed/process_group.js';

/** Tells the batch-mixing draws apart from the loader's augmentation draws of the same batch. */
const MIX_STREAM = 0x6d6978;

export type { BatchEvent, EpochRecord, TrainerOptions } from './trainer_options.js';

/** Training stopped because the loss became NaN or infinite. */
export class TrainingDivergedError extends ResnetNativeError {}

/** Whether a schedule counts batches: OneCycleLR does, and so does a SequentialLR that runs one. */
function countsBatches(scheduler: LRScheduler): boolean {
  if (scheduler instanceof OneCycleLR) return true;
  return scheduler instanceof SequentialLR && scheduler.options.schedulers.some(countsBatches);
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
  readonly #device: ResolvedDevice | undefined;
  readonly #amp: TrainerAmp | null;
  readonly #callbacks: Callback[];
  #stopRequested = false;
  /** Whether this process writes files (rank 0, or no process group). */
  readonly #writes: boolean;
  readonly #distributed: DistributedDataParallelOptions | null;
  #ddp: DistributedDataParallel | undefined;

  constructor(readonly options: TrainerOptions) {
    checkInt('epochs', options.epochs, 0);
    this.#device = options.device === undefined ? undefined : resolveDevice('device', options.device);
    if (options.cudnnBenchmark !== undefined) checkBool('cudnnBenchmark', options.cudnnBenchmark);
    if (this.#device !== undefined) options.model.to(this.#device);
    const { length, batchSize, dropLast, dataset } = options.trainLoader;
    if (length === 0)
      throw new ArgumentError(
        `Expected a trainLoader with at least one batch but its epoch has 0 batches (${dataset.length} examples, batchSize ${batchSize}${dropLast ? ', dropLast' : ''})`,
      );
    this.#schedulerStep =
      options.schedulerStep ?? (options.scheduler && countsBatches(options.scheduler) ? 'batch' : 'epoch');
    this.#amp = resolveTrainerAmp(options.amp, options.device);
    if (options.clipGradNorm !== undefined)
      checkRange('clipGradNorm', options.clipGradNorm, 0, Infinity, true);
    this.#callbacks = [...(options.callbacks ?? [])];
    const grouped = isInitialized() && getWorldSize() > 1;
    const distributed = options.distributed ?? grouped;
    this.#distributed = distributed === false ? null : distributed === true ? {} : distributed;
    this.#writes = getRank() === 0;
    if (this.#writes && options.outDir !== undefined && (options.tensorboard ?? true))
      this.#callbacks.push(new TensorBoardLogger(options.outDir));
  }

  /** Asks training to stop after the current batch; the epoch is still evaluated, checkpointed and recorded. */
  stop(): void {
    this.#stopRequested = true;
  }

  /** Whether `stop()` was called during this `fit()`. */
  get stopped(): boolean {
    return this.#stopRequested;
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
    const ema = this.options.ema?.average;
    this.state = await loadCheckpoint(path, model, optimizer, ema === undefined ? {} : { ema });
    const world = getWorldSize();
    if ((this.state.worldSize ?? 1) !== world)
      throw new ArgumentError(
        `Expected to resume with the world size the checkpoint was written with (${this.state.worldSize ?? 1}) but this job has ${world} processes`,
      );
    if (scheduler !== undefined && this.state.scheduler !== undefined) {
      scheduler.loadStateDict(this.state.scheduler as { lastEpoch: number });
    }
    if (this.state.scaler !== undefined) this.#amp?.scaler?.loadStateDict(this.state.scaler);
    this.history.splice(0, this.history.length, ...((this.state.extra as EpochRecord[] | undefined) ?? []));
    this.#checkpointed = true;
    return this.state;
  }

  /** Trains the remaining epochs (after each: evaluation with `evalLoader`; checkpoint and metrics files with `outDir`) and returns the history. Throws TrainingDivergedError when the loss stops being finite. */
  async fit(): Promise<EpochRecord[]> {
    const { epochs, outDir } = this.options;
    if (outDir !== undefined && this.#writes) await makeFolder(outDir);
    if (this.#distributed !== null)
      this.#ddp ??= await DistributedDataParallel.create(this.options.model, this.#distributed);
    // The process-wide flag is set for this run only, and given back after it.
    const onGpu = this.#device !== undefined && this.#device !== 'cpu';
    const benchmark = backends.cudnn.benchmark;
    if (onGpu) backends.cudnn.benchmark = this.options.cudnnBenchmark ?? true;
    try {
      await this.runEpochs(epochs, outDir);
    } finally {
      if (onGpu) backends.cudnn.benchmark = benchmark;
    }
    return this.history;
  }

  private async runEpochs(epochs: number, outDir: string | undefined): Promise<void> {
    const { evalLoader } = this.options;
    this.#stopRequested = false;
    await dispatch(this.#callbacks, 'onTrainBegin', this);
    while (this.state.epoch < epochs && !this.#stopRequested) {
      const epoch = this.state.epoch;
      await dispatch(this.#callbacks, 'onEpochBegin', epoch + 1, this);
      const train = await this.trainEpoch(epoch, this.state.batch);
      if (this.#schedulerStep === 'epoch') this.options.scheduler?.step();
      const record: EpochRecord = {
        epoch: epoch + 1,
        lr: this.options.optimizer.paramGroups[0]!.options.lr,
        train,
      };
      if (evalLoader !== undefined) record.eval = await this.evaluate(evalLoader);
      const ema = this.options.ema?.average.module;
      if (evalLoader !== undefined && ema !== undefined)
        record.evalEma = await this.evaluate(evalLoader, ema);
      this.history.push(record);
      this.state = { epoch: epoch + 1, batch: 0 };
      await this.checkpoint();
      if (outDir !== undefined && this.#writes) {
        await appendFile(join(outDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
        await writePlot(join(outDir, 'metrics.svg'), this.history);
      }
      this.options.onEpoch?.(record);
      await dispatch(this.#callbacks, 'onEpochEnd', record, this);
    }
    await dispatch(this.#callbacks, 'onTrainEnd', this, this.history);
  }

  /** Writes the model's weights to `path` with the metadata that describes it (see `saveModel`). */
  async saveModel(path: string): Promise<void> {
    await saveModel(this.options.model, path, this.options.modelInfo);
  }

  private async checkpoint(): Promise<void> {
    const path = this.checkpointPath;
    if (path === undefined || !this.#writes) return;
    const { model, optimizer, scheduler } = this.options;
    await saveCheckpoint(
      path,
      model,
      optimizer,
      {
        ...this.state,
        ...(this.#ddp ? { worldSize: getWorldSize() } : {}),
        scheduler: scheduler?.stateDict(),
        ...(this.#amp?.scaler ? { scaler: this.#amp.scaler.stateDict() } : {}),
        extra: this.history,
      },
      metadataEntriesIfResNet(model, this.options.modelInfo),
      this.options.ema === undefined ? {} : { ema: this.options.ema.average },
    );
    this.#checkpointed = true;
  }

  private toDevice(t: Tensor): Tensor {
    const { memoryFormat } = this.options;
    const device = this.#device;
    let out = t;
    // Non-blocking: from a pinned batch the copy overlaps with the step already queued.
    if (device !== undefined && t.device !== device) out = t.to(device, { nonBlocking: true });
    if (memoryFormat === 'channels_last' && out.ndim === 4) {
      const laidOut = out.contiguous('channels_last');
      if (out !== t) out.dispose();
      out = laidOut;
    }
    if (out !== t) t.dispose();
    return out;
  }

  /** The batch mixed by `batchMix` (its own tensors disposed), or the batch itself. */
  private mixed(batch: Batch, epoch: number): Batch {
    const mix = this.options.batchMix;
    if (mix === undefined) return batch;
    // A stream of its own beside the loader's (seed, epoch, batch + 1) augmentation stream.
    const draws = new Rng(this.options.trainLoader.seed, epoch, batch.index + 1, MIX_STREAM);
    try {
      return { ...mix.apply(batch.input, batch.target, draws), index: batch.index };
    } finally {
      batch.input.dispose();
      batch.target.dispose();
    }
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
    const meter = new MetricsMeter(this.options.metrics);
    const { clipGradNorm, ema } = this.options;
    const clip =
      clipGradNorm === undefined
        ? undefined
        : () => clipGradNorm_(model.parameters(), clipGradNorm)?.dispose();
    this.#step ??= new CapturedStep(
      this.#ddp ?? model,
      optimizer,
      this.options.loss ?? ((logits, y) => crossEntropy(logits, y, { labelSmoothing })),
      this.options.captureSteps ?? true,
      this.#amp,
      clip,
    );
    const batches = trainLoader.epoch(epoch, startBatch);
    let next = batches.next();
    for (let item = await next; item.done !== true; item = await next) {
      const { input, target, index } = this.mixed(item.value, epoch);
      await dispatch(this.#callbacks, 'onBatchBegin', { epoch: epoch + 1, batch: index + 1 }, this);
      const lr = optimizer.paramGroups[0]!.options.lr;
      const x = this.toDevice(input);
      const y = this.toDevice(target);
      const running = this.#step.run(x, y);
      next = batches.next(); // the next batch is made while the step runs natively
      const { loss, logits } = await (this.#ddp ? this.#explained(running, epoch, index) : running);
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
      if (ema !== undefined && index % ema.steps === 0) {
        ema.average.updateParameters(model);
        // torchvision: during the warm-up the average restarts, copying the weights
        if (epoch < (ema.warmupEpochs ?? 0)) ema.average.nAveraged = 0;
      }
      if (this.#schedulerStep === 'batch') scheduler?.step();
      const m = meter.result();
      const event = {
        epoch: epoch + 1,
        batch: index + 1,
        batches: trainLoader.length,
        loss,
        imagesPerSec: m.imagesPerSec,
        lr,
      };
      this.options.onBatch?.(event);
      await dispatch(this.#callbacks, 'onBatchEnd', event, this);
      if (checkpointEvery > 0 && (index + 1) % checkpointEvery === 0 && index + 1 < trainLoader.length) {
        this.state = { epoch, batch: index + 1 };
        // The checkpoint's bytes are taken now, synchronously; the file is written while the
        // next steps run (one write in flight at a time).
        await this.#writing;
        this.#writing = this.checkpoint();
      }
      if (this.#stopRequested) {
        await batches.return(undefined);
        break;
      }
    }
    await this.#writing;
    return meter.result();
  }

  /** A failed distributed step as a DistributedError naming the lost or hung rank. */
  async #explained<T>(running: Promise<T>, epoch: number, index: number): Promise<T> {
    try {
      return await running;
    } catch (error) {
      throw await explainFailure(error, `The training step of epoch ${epoch + 1}, batch ${index + 1}`);
    }
  }

  /** Loss and accuracy of the model (in eval mode) over `loader`; each module's mode is restored after. */
  async evaluate(loader: DataLoader, model: Module = this.options.model): Promise<PhaseMetrics> {
    const { labelSmoothing = 0 } = this.options;
    const lossOf = this.options.loss ?? ((l: Tensor, y: Tensor) => crossEntropy(l, y, { labelSmoothing }));
    // Parents before children (namedModules' order), so that restoring a parent's mode, which
    // sets its children's too, is followed by each child's own.
    const modes = model.modules().map((m) => [m, m.training] as const);
    model.eval();
    try {
      const meter = new MetricsMeter(this.options.metrics);
      for await (const { input, target } of loader.epoch(0)) {
        const x = this.toDevice(input);
        const y = this.toDevice(target);
        // replayed off the JavaScript thread (under autocast with amp: the replay keeps its state)
        const logits = await (this.#amp === null
          ? model.forwardAsync(x)
          : this.#amp.run(() => model.forwardAsync(x)));
        noGrad(() => tidy(() => meter.update(logits, y, lossOf(logits, y).item())));
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
