/** What a `Trainer` is given (`TrainerOptions`) and what it reports (`EpochRecord`, `BatchEvent`). */
import type { TrainerAmpOptions } from '../amp/trainer_amp.js';
import type { DataLoader } from '../data/dataloader.js';
import type { BatchMix } from '../data/transforms/mix.js';
import type { DistributedDataParallelOptions } from '../distributed/ddp.js';
import type { Device } from '../dtype.js';
import type { ModelInfo } from '../model_file/load_model.js';
import type { Module } from '../nn/module.js';
import type { LRScheduler } from '../optim/lr_scheduler.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { MemoryFormat, Tensor } from '../tensor.js';
import type { Callback } from './callbacks.js';
import type { ExponentialMovingAverage } from './ema.js';
import type { MetricFn, PhaseMetrics } from './metrics.js';

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
  /** Metrics of the `ema` weights over `evalLoader`, when both are given. */
  evalEma?: PhaseMetrics;
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
  /** Learning rate of the first parameter group during this batch's step. */
  lr: number;
}

/** What `Trainer` trains, with what, and for how long. */
export interface TrainerOptions {
  /** The model to train (moved to `device` when one is given). */
  model: Module;
  /** The optimizer over the model's parameters. */
  optimizer: Optimizer<{ lr: number }>;
  /** Learning-rate schedule, stepped as `schedulerStep` says. */
  scheduler?: LRScheduler;
  /**
   * When the schedule steps: after every batch or after every epoch. The default follows
   * PyTorch's conventions: every batch for OneCycleLR (its steps are batches) and for a
   * SequentialLR that runs one (a warm-up before it, say), every epoch for the others (StepLR's `stepSize`, MultiStepLR's milestones and CosineAnnealingLR's `tMax`
   * count epochs in PyTorch's examples and torchvision's reference scripts).
   */
  schedulerStep?: 'batch' | 'epoch';
  /** Training batches (`{ input, target }` with class-index targets). */
  trainLoader: DataLoader;
  /** Batches evaluated after each epoch, when given. */
  evalLoader?: DataLoader;
  /** Total epochs to train (a resumed trainer runs only the remaining ones). */
  epochs: number;
  /**
   * Mixes each training batch (`data.transforms.mixup`, `cutmix`, or `randomChoiceMix` of both, as
   * torchvision's `--mixup-alpha` / `--cutmix-alpha`): the targets become (N, K) class
   * probabilities for the loss and custom metrics; top-1/top-5 count the target's most likely
   * class, as torchvision's `accuracy`. Draws come from (loader seed, epoch, batch), so resuming
   * mixes as the full run did.
   */
  batchMix?: BatchMix;
  /** Label smoothing of the cross-entropy loss (default 0), as PyTorch's `label_smoothing`. */
  labelSmoothing?: number;
  /** The loss, from the logits and the batch's targets (default: cross-entropy with `labelSmoothing`); tensor ops only, so that the step can be captured. */
  loss?: (logits: Tensor, target: Tensor) => Tensor;
  /** Custom metrics, each a batch mean from logits and targets, averaged per phase into `custom` of the records. */
  metrics?: Record<string, MetricFn>;
  /** Clip the gradients to this total L2 norm before each update (torchvision's `--clip-grad-norm`). */
  clipGradNorm?: number;
  /** A moving average of the weights, updated every `steps` batches (from batch 0 of each epoch) and restarted during the first `warmupEpochs` epochs, as torchvision's `--model-ema`; evaluated as `evalEma`. */
  ema?: { average: ExponentialMovingAverage; steps: number; warmupEpochs?: number };
  /** Begin/end hooks of the run, epochs and batches (see `Callback`). */
  callbacks?: Callback[];
  /** Write TensorBoard event files into `outDir` (default true when `outDir` is given). */
  tensorboard?: boolean;
  /** Where checkpoint.safetensors, metrics.jsonl and metrics.svg go. */
  outDir?: string;
  /** Also checkpoint every this many batches (0: only at epoch ends). */
  checkpointEvery?: number;
  /**
   * Where to train: the model is moved there, each batch is copied there (asynchronously from
   * a `pinMemory` loader) and the loss is computed there (default: the model and batches stay
   * where they are). A DeviceError when the device cannot be used.
   */
  device?: Device;
  /**
   * cuDNN benchmark mode while training on a GPU (default true, as torchvision's training
   * script sets it): the fastest convolution algorithm is timed once per input shape. Set
   * false for bit-reproducible runs. Nothing changes on the CPU.
   */
  cudnnBenchmark?: boolean;
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
   * Mixed precision (lib/amp): forward passes and the loss run under autocast, float16 with a
   * GradScaler on CUDA and bfloat16 on CPU by default; the scaler's state is checkpointed. With
   * a scaler, training steps run eagerly (its skip on inf/NaN reads a value each step).
   */
  amp?: boolean | TrainerAmpOptions;
  /**
   * What the model's files record beyond its structure (class names, preprocessing): written
   * into `saveModel`'s file and the checkpoint's header, so that `loadModel` needs no flags.
   */
  modelInfo?: ModelInfo;
  /**
   * Data-parallel training across the ranks of `dist.init()`'s process group (default: on
   * whenever a group of more than one rank is initialized): the model is wrapped in a
   * `dist.DistributedDataParallel` (these are its options), only rank 0 writes checkpoints,
   * metrics, plots and TensorBoard files, and a lost rank stops training with a
   * DistributedError naming it. Give `trainLoader` a `dist.DistributedSampler` so that each
   * rank trains on its own share; every rank evaluates the whole `evalLoader`.
   */
  distributed?: boolean | DistributedDataParallelOptions;
}
