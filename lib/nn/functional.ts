/**
 * PyTorch's `torch.nn.functional`, camelCased, with options objects for keyword arguments.
 * Each function checks its arguments, then makes one native call.
 *
 * @module
 */
import { type Handle, native } from '../binding.js';
import { isFloatingDType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { handleOf, optionalHandle, wrap } from '../tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type Pair, option, pairOption } from './options.js';
import {
  checkBool,
  checkFinite,
  checkFloatingTensor,
  checkInt,
  checkIntList,
  checkNumber,
  checkNumberNotNaN,
  checkOneOf,
  checkOptions,
  checkSameDType,
  checkTensorDType,
} from '../validate.js';

/** How a loss reduces over the batch: per-element values (`'none'`), their mean, or their sum. */
export type Reduction = 'none' | 'mean' | 'sum';
const reductions: readonly Reduction[] = ['none', 'mean', 'sum'];

/** Handles of a floating `input` and a `weight` (and optional `bias`) of its dtype. */
function floatingOperands(input: unknown, weight: unknown, bias: unknown): [Handle, Handle, Handle | null] {
  const handles = [
    handleOf(input, 'input'),
    handleOf(weight, 'weight'),
    optionalHandle(bias, 'bias'),
  ] as const;
  checkFloatingTensor('input', input as Tensor);
  checkSameDType('weight', weight as Tensor, 'input', input as Tensor);
  checkSameDType('bias', (bias ?? null) as Tensor | null, 'input', input as Tensor);
  return [...handles];
}

/**
 * The handles of a classification loss's (input, target, weight), checked: floating logits, a
 * weight of their dtype, and a target of int64 class indices ('indices') or of class
 * probabilities in the input's dtype and shape ('probabilities': PyTorch's soft targets, such as
 * mixup's and cutmix's).
 */
function lossOperands(
  input: unknown,
  target: unknown,
  weight: unknown,
  targetKind: 'indices' | 'probabilities',
): [Handle, Handle, Handle | null] {
  const handles = [
    handleOf(input, 'input'),
    handleOf(target, 'target'),
    optionalHandle(weight, 'weight'),
  ] as const;
  const x = input as Tensor;
  const t = target as Tensor;
  checkFloatingTensor('input', x);
  if (targetKind === 'indices') checkTensorDType('target', t, 'int64');
  else {
    checkSameDType('target', t, 'input', x);
    if (t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i]))
      throw new ShapeError(
        `Expected class probabilities of the input's shape [${x.shape.join(', ')}] for target but received shape [${t.shape.join(', ')}]`,
      );
  }
  checkSameDType('weight', (weight ?? null) as Tensor | null, 'input', x);
  return [...handles];
}

/** Options of `conv2d` (PyTorch's `F.conv2d` keywords). */
export interface Conv2dOptions {
  /** Per-output-channel bias, or none. */
  bias?: Tensor | null;
  /** Stride, one number or [h, w] (default 1). */
  stride?: Pair;
  /** Zero padding on each side, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing between kernel elements (default 1). */
  dilation?: Pair;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
}
/** 2-D convolution of (N, C_in, H, W) `input` with (C_out, C_in / groups, kH, kW) `weight`, as `F.conv2d`. */
export function conv2d(input: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const [x, w, b] = floatingOperands(input, weight, o['bias']);
  return wrap(
    native.conv2d(
      x,
      w,
      b,
      pairOption(o, 'stride', [1, 1], 1),
      pairOption(o, 'padding', [0, 0], 0),
      pairOption(o, 'dilation', [1, 1], 1),
      option(o, 'groups', 1, (n, v) => checkInt(n, v, 1)),
    ),
  );
}

/** Options of `batchNorm` (PyTorch's `F.batch_norm` keywords). */
export interface BatchNormOptions {
  /** Per-channel scale (gamma), or none. */
  weight?: Tensor | null;
  /** Per-channel shift (beta), or none. */
  bias?: Tensor | null;
  /** Normalize with the batch statistics and update the running ones (default false: use the running statistics). */
  training?: boolean;
  /** Weight of the new batch statistic in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}
/** Batch normalization; in training mode the running statistics are updated in place. */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const o = checkOptions('options', options);
  const training = option(o, 'training', false, checkBool);
  handleOf(input, 'input');
  checkFloatingTensor('input', input);
  // As F.batch_norm: a single value per channel has no batch variance (at::batch_norm would divide by zero).
  if (training && input.shape.length >= 2 && input.size / input.shape[1]! <= 1) {
    throw new ShapeError(
      `Expected more than 1 value per channel when training, got input of shape [${input.shape.join(', ')}]`,
    );
  }
  return wrap(
    native.batchNorm(
      handleOf(input, 'input'),
      optionalHandle(runningMean, 'runningMean'),
      optionalHandle(runningVar, 'runningVar'),
      optionalHandle(o['weight'], 'weight'),
      optionalHandle(o['bias'], 'bias'),
      training,
      option(o, 'momentum', 0.1, checkFinite),
      option(o, 'eps', 1e-5, checkFinite),
    ),
  );
}

/** Elementwise max(x, 0), as `F.relu`. */
export function relu(input: Tensor): Tensor {
  return wrap(native.relu(handleOf(input, 'input')));
}

/** Options of `maxPool2d` (PyTorch's `F.max_pool2d` keywords). */
export interface MaxPool2dOptions {
  /** Stride (default, or null: the kernel size). */
  stride?: Pair | null;
  /** Implicit -infinity padding on each side (default 0). */
  padding?: Pair;
  /** Spacing between kernel elements (default 1). */
  dilation?: Pair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}
/** 2-D max pooling over (N, C, H, W) `input`, as `F.max_pool2d`. */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const k = checkIntList('kernelSize', kernelSize, 2, 1);
  return wrap(
    native.maxPool2d(
      handleOf(input, 'input'),
      k,
      o['stride'] === undefined || o['stride'] === null ? k : checkIntList('stride', o['stride'], 2, 1),
      pairOption(o, 'padding', [0, 0], 0),
      pairOption(o, 'dilation', [1, 1], 1),
      option(o, 'ceilMode', false, checkBool),
    ),
  );
}

/** Options of `avgPool2d` (PyTorch's `F.avg_pool2d` keywords). */
export interface AvgPool2dOptions {
  /** Stride (default, or null: the kernel size). */
  stride?: Pair | null;
  /** Zero padding on each side (default 0). */
  padding?: Pair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padding zeros in the average's divisor (default true). */
  countIncludePad?: boolean;
}
/** 2-D average pooling over (N, C, H, W) `input`, as `F.avg_pool2d`. */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const k = checkIntList('kernelSize', kernelSize, 2, 1);
  return wrap(
    native.avgPool2d(
      handleOf(input, 'input'),
      k,
      o['stride'] === undefined || o['stride'] === null ? k : checkIntList('stride', o['stride'], 2, 1),
      pairOption(o, 'padding', [0, 0], 0),
      option(o, 'ceilMode', false, checkBool),
      option(o, 'countIncludePad', true, checkBool),
    ),
  );
}

/** Average pooling to a fixed output size [h, w] (one number: square), as `F.adaptive_avg_pool2d`. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: Pair): Tensor {
  return wrap(
    native.adaptiveAvgPool2d(handleOf(input, 'input'), checkIntList('outputSize', outputSize, 2, 0)),
  );
}

/** Max pooling to a fixed output size [h, w] (one number: square), as `F.adaptive_max_pool2d`. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: Pair): Tensor {
  return wrap(
    native.adaptiveMaxPool2d(handleOf(input, 'input'), checkIntList('outputSize', outputSize, 2, 0)),
  );
}

/** `input @ weight.T + bias`, as `F.linear`. */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return wrap(native.linear(...floatingOperands(input, weight, bias)));
}

/** Softmax along `dim`, as `F.softmax`. */
export function softmax(input: Tensor, dim: number): Tensor {
  handleOf(input, 'input');
  return input.softmax(dim);
}

/** Log-softmax along `dim`, computed stably, as `F.log_softmax`. */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  handleOf(input, 'input');
  return input.logSoftmax(dim);
}

/** Zeroes elements with probability `p` (default 0.5) and scales the rest by 1/(1-p) when `training` (default true); the input unchanged otherwise, as `F.dropout`. */
export function dropout(input: Tensor, options: { p?: number; training?: boolean } = {}): Tensor {
  const o = checkOptions('options', options);
  const p = option(o, 'p', 0.5, checkNumberNotNaN);
  if (p < 0 || p > 1) throw new ArgumentError(`Expected a probability in [0, 1] for p but received ${p}`);
  return wrap(native.dropout(handleOf(input, 'input'), p, option(o, 'training', true, checkBool)));
}

/** Options of `pad` (PyTorch's `F.pad` keywords). */
export interface PadOptions {
  /** How to fill the padding (default `'constant'`). */
  mode?: 'constant' | 'reflect' | 'replicate' | 'circular';
  /** The fill value of `'constant'` mode (default 0). */
  value?: number;
}
/** Pads the last dimensions: `pads` lists (left, right, top, bottom, ...) as F.pad. */
export function pad(input: Tensor, pads: readonly number[], options: PadOptions = {}): Tensor {
  const o = checkOptions('options', options);
  if (!Array.isArray(pads) || pads.length % 2 !== 0) checkIntList('pads', pads, 2);
  const p = checkIntList('pads', pads, pads.length, -Number.MAX_SAFE_INTEGER);
  const mode = option(o, 'mode', 'constant', (n, v) =>
    checkOneOf(n, v, ['constant', 'reflect', 'replicate', 'circular'] as const),
  );
  return wrap(native.pad(handleOf(input, 'input'), p, mode, option(o, 'value', 0, checkNumber)));
}

/** Options of `crossEntropy` and `nllLoss` (PyTorch's keywords). */
export interface CrossEntropyOptions {
  /** Per-class weights (length C), or none. */
  weight?: Tensor | null;
  /** Mixes the target with the uniform distribution by this amount in [0, 1] (default 0). */
  labelSmoothing?: number;
  /** Reduction over the batch (default `'mean'`). */
  reduction?: Reduction;
  /** Target value that contributes no loss nor gradient (default -100). */
  ignoreIndex?: number;
}

/**
 * Cross entropy of logits `input` (N, C, ...) against `target`: int64 class indices (N, ...), or
 * class probabilities of the input's shape and dtype (soft targets, e.g. from `mixup` or
 * `cutmix`), as `F.cross_entropy` takes both; `labelSmoothing` applies to either.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const smoothing = option(o, 'labelSmoothing', 0, checkFinite);
  if (smoothing < 0 || smoothing > 1)
    throw new ArgumentError(`Expected a number in [0, 1] for labelSmoothing but received ${smoothing}`);
  // As F.cross_entropy: a target of the input's rank holds probabilities; any other is class
  // indices (so float labels of shape (N) get the int64 conversion hint, not a shape error).
  const soft =
    typeof target?.dtype === 'string' &&
    isFloatingDType(target.dtype) &&
    Array.isArray(target.shape) &&
    target.shape.length === (input as Partial<Tensor> | null)?.shape?.length;
  return wrap(
    native.crossEntropy(
      ...lossOperands(input, target, o['weight'], soft ? 'probabilities' : 'indices'),
      option(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions)),
      option(o, 'ignoreIndex', -100, checkInt),
      smoothing,
    ),
  );
}

/** Negative log-likelihood of log-probabilities `input` (N, C, ...) at int64 class indices `target`, as `F.nll_loss`. */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  options: Omit<CrossEntropyOptions, 'labelSmoothing'> = {},
): Tensor {
  const o = checkOptions('options', options);
  return wrap(
    native.nllLoss(
      ...lossOperands(input, target, o['weight'], 'indices'),
      option(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions)),
      option(o, 'ignoreIndex', -100, checkInt),
    ),
  );
}

/** Mean squared error (with `reduction`, default `'mean'`), as `F.mse_loss`. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const o = checkOptions('options', options);
  const reduction = option(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions));
  return wrap(native.mseLoss(handleOf(input, 'input'), handleOf(target, 'target'), reduction));
}

/** Resizes (N, C, H, W) bilinearly; `antialias` matches torchvision's tensor resize. */
export function interpolateBilinear(
  input: Tensor,
  size: Pair,
  options: { alignCorners?: boolean; antialias?: boolean } = {},
): Tensor {
  const o = checkOptions('options', options);
  return wrap(
    native.resizeBilinear(
      handleOf(input, 'input'),
      checkIntList('size', size, 2, 1),
      option(o, 'alignCorners', false, checkBool),
      option(o, 'antialias', false, checkBool),
    ),
  );
}

export { gridSample } from './grid_sample.js';
export type { GridSampleMode, GridSampleOptions, GridSamplePadding } from './grid_sample.js';
