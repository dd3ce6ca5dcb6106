/**
 * Training checkpoints: one safetensors file holding the model's state dict, the optimizer's
 * tensors and the RNG state, with everything else (epoch, batch, optimizer options and
 * scalars, schedule, metrics) as JSON in the header's metadata. Written atomically by save(),
 * so a crash mid-write keeps the previous checkpoint whole; PyTorch can read the weights.
 */
import type { GradScalerStateDict } from '../amp/grad_scaler.js';
import { FormatError } from '../errors.js';
import { readSafetensorsFile } from '../io/safetensors_file.js';
import { save } from '../io/weights.js';
import { native } from '../binding.js';
import type { Module } from '../nn/module.js';
import type { ExponentialMovingAverage } from './ema.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { cuda } from '../cuda.js';
import { getRngState, setRngState } from '../runtime.js';
import { Tensor, wrap } from '../tensor.js';

/** Where training stands, as a checkpoint records it. */
export interface TrainingState {
  /** Epochs completed (the next epoch to run). */
  epoch: number;
  /** Batches of `epoch` already done (0 at an epoch boundary). */
  batch: number;
  /** The scheduler's `stateDict()`, when there is a scheduler. */
  scheduler?: unknown;
  /** The GradScaler's `stateDict()`, when mixed precision uses one. */
  scaler?: GradScalerStateDict;
  /** Processes of the distributed job that wrote it (absent: one). Resuming needs the same. */
  worldSize?: number;
  /** Anything JSON the caller wants back (metrics history, config). */
  extra?: unknown;
  /** The moving average's update count, when the checkpoint holds one (its weights are `ema.*` tensors). */
  ema?: { nAveraged: number };
}

/** What a checkpoint carries beside the model and optimizer. */
export interface CheckpointExtras {
  /** A moving average of the weights (torchvision's `model_ema`): saved, and restored exactly. */
  ema?: ExponentialMovingAverage;
}

const MODEL = 'model.';
const OPTIM = 'optimizer.';
const EMA = 'ema.';
const RNG = 'rng.cpu';
/** `rng.cuda:N`: each visible GPU's generator, when CUDA is in use. */
const CUDA_RNG = 'rng.cuda:';

/**
 * Writes model weights, optimizer state, the CPU RNG state (and each GPU's, when CUDA is in
 * use) and `state` to one safetensors file at `path`, atomically (read back with
 * `loadCheckpoint`). `modelMetadata` (a model file's entries, see `saveModel`) makes the
 * checkpoint self-describing for `loadModel` too. `extras.ema` adds the moving average's
 * weights and update count, so that a resumed run continues the average exactly.
 */
export async function saveCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer<{ lr: number }>,
  state: TrainingState,
  modelMetadata: Record<string, string> = {},
  extras: CheckpointExtras = {},
): Promise<void> {
  const tensors = new Map<string, Tensor>();
  // The model's detached views and the RNG state are made here and freed here; the optimizer's
  // state tensors are its own (stateDict() shares them) and stay.
  const ours: Tensor[] = [];
  for (const [k, v] of Object.entries(model.stateDict())) {
    tensors.set(MODEL + k, v);
    ours.push(v);
  }
  let recorded = state;
  if (extras.ema !== undefined) {
    for (const [k, v] of Object.entries(extras.ema.module.stateDict())) {
      tensors.set(EMA + k, v);
      ours.push(v);
    }
    recorded = { ...state, ema: { nAveraged: extras.ema.nAveraged } };
  }
  const sd = optimizer.stateDict();
  const scalars: Record<string, Record<string, number>> = {};
  for (const [id, s] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(s)) {
      if (v instanceof Tensor) tensors.set(`${OPTIM}${id}.${k}`, v);
      else (scalars[id] ??= {})[k] = v;
    }
  }
  const rng = getRngState();
  tensors.set(RNG, rng);
  ours.push(rng);
  for (let i = 0; i < cuda.deviceCount(); i++) {
    const t = cuda.getRngState(i);
    ours.push(t);
    tensors.set(`${CUDA_RNG}${i}`, t);
  }
  const meta = { state: recorded, optimizer: { param_groups: sd.param_groups, scalars } };
  // save() copies the bytes out before its first await: the tensors can go at once.
  const written = save(tensors, path, {
    metadata: { ...modelMetadata, format: 'resnet-native-checkpoint/1', training: JSON.stringify(meta) },
  });
  for (const t of ours) t.dispose();
  await written;
}

/**
 * The model's state dict when `sd` (as `load` read it) is a training checkpoint, else
 * undefined; the checkpoint's other tensors (optimizer, RNG) are disposed.
 */
export function modelOfCheckpoint(sd: Record<string, Tensor>): Record<string, Tensor> | undefined {
  if (sd[RNG] === undefined) return undefined;
  const model: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(sd)) {
    if (k.startsWith(MODEL)) model[k.slice(MODEL.length)] = t;
    else t.dispose();
  }
  return model;
}

/**
 * Restores model, optimizer and RNG (CPU, and each GPU present) from `path`, and `extras.ema`
 * when given (the checkpoint must then hold one); returns where training stopped.
 */
export async function loadCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer<{ lr: number }>,
  extras: CheckpointExtras = {},
): Promise<TrainingState> {
  const { tensors, metadata } = await readSafetensorsFile(path);
  if (metadata['format'] !== 'resnet-native-checkpoint/1' || metadata['training'] === undefined) {
    throw new FormatError(`${path} is not a resnet-native training checkpoint`);
  }
  const meta = JSON.parse(metadata['training']) as {
    state: TrainingState;
    optimizer: {
      param_groups: OptimizerStateDict<{ lr: number }>['param_groups'];
      scalars: Record<string, Record<string, number>>;
    };
  };
  const savedEma = meta.state.ema;
  if (extras.ema !== undefined && savedEma === undefined) {
    throw new FormatError(
      `Expected a checkpoint with the moving average's weights (written by a run with an EMA, --model-ema) but ${path} holds none`,
    );
  }
  const modelSd: Record<string, Tensor> = {};
  const emaSd: Record<string, Tensor> = {};
  const optimState: Record<number, ParamState> = {};
  for (const [name, raw] of tensors) {
    const t = wrap(native.fromBytes(raw.bytes, raw.shape, raw.dtype));
    if (name.startsWith(MODEL)) modelSd[name.slice(MODEL.length)] = t;
    else if (name.startsWith(EMA) && extras.ema !== undefined) emaSd[name.slice(EMA.length)] = t;
    else if (name.startsWith(OPTIM)) {
      const [id, ...key] = name.slice(OPTIM.length).split('.');
      (optimState[Number(id)] ??= {})[key.join('.')] = t;
    } else if (name === RNG) {
      setRngState(t);
      t.dispose();
    } else if (name.startsWith(CUDA_RNG)) {
      // A GPU this machine lacks draws nothing here: its state has nothing to restore into.
      const index = Number(name.slice(CUDA_RNG.length));
      if (Number.isInteger(index) && index < cuda.deviceCount()) cuda.setRngState(t, index);
      t.dispose();
    } else t.dispose();
  }
  for (const [id, s] of Object.entries(meta.optimizer.scalars))
    Object.assign((optimState[Number(id)] ??= {}), s);
  model.loadStateDict(modelSd);
  optimizer.loadStateDict({ state: optimState, param_groups: meta.optimizer.param_groups });
  if (extras.ema !== undefined && savedEma !== undefined) {
    extras.ema.module.loadStateDict(emaSd);
    extras.ema.nAveraged = savedEma.nAveraged;
  }
  for (const t of [...Object.values(modelSd), ...Object.values(emaSd)]) t.dispose();
  for (const s of Object.values(optimState))
    for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
  return meta.state;
}
