/**
 * PyTorch's `torch.nn.functional`, camelCased, with options objects for keyword arguments.
 * Each function checks its arguments, then makes one native call.
 */
import { native } from '../binding.js';
import type { Tensor } from '../tensor.js';
import { handleOf, optionalHandle, wrap } from '../tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import {
  checkBool,
  checkFinite,
  checkInt,
  checkIntList,
  checkNumber,
  checkOneOf,
  checkOptions,
} from '../validate.js';

type Pair = number | readonly [number, number];
export type Reduction = 'none' | 'mean' | 'sum';
const reductions: readonly Reduction[] = ['none', 'mean', 'sum'];

function opt<T>(
  o: Record<string, unknown>,
  key: string,
  fallback: T,
  check: (name: string, v: unknown) => T,
): T {
  const v = o[key];
  return v === undefined ? fallback : check(key, v);
}
const pair = (min: number) => (name: string, v: unknown) => checkIntList(name, v, 2, min);

export interface Conv2dOptions {
  bias?: Tensor | null;
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}
export function conv2d(input: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  return wrap(
    native.conv2d(
      handleOf(input, 'input'),
      handleOf(weight, 'weight'),
      optionalHandle(o['bias'], 'bias'),
      opt(o, 'stride', [1, 1], pair(1)),
      opt(o, 'padding', [0, 0], pair(0)),
      opt(o, 'dilation', [1, 1], pair(1)),
      opt(o, 'groups', 1, (n, v) => checkInt(n, v, 1)),
    ),
  );
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
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
  const training = opt(o, 'training', false, checkBool);
  handleOf(input, 'input');
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
      opt(o, 'momentum', 0.1, checkFinite),
      opt(o, 'eps', 1e-5, checkFinite),
    ),
  );
}

export function relu(input: Tensor): Tensor {
  return wrap(native.relu(handleOf(input, 'input')));
}

export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const k = checkIntList('kernelSize', kernelSize, 2, 1);
  return wrap(
    native.maxPool2d(
      handleOf(input, 'input'),
      k,
      o['stride'] === undefined || o['stride'] === null ? k : checkIntList('stride', o['stride'], 2, 1),
      opt(o, 'padding', [0, 0], pair(0)),
      opt(o, 'dilation', [1, 1], pair(1)),
      opt(o, 'ceilMode', false, checkBool),
    ),
  );
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const k = checkIntList('kernelSize', kernelSize, 2, 1);
  return wrap(
    native.avgPool2d(
      handleOf(input, 'input'),
      k,
      o['stride'] === undefined || o['stride'] === null ? k : checkIntList('stride', o['stride'], 2, 1),
      opt(o, 'padding', [0, 0], pair(0)),
      opt(o, 'ceilMode', false, checkBool),
      opt(o, 'countIncludePad', true, checkBool),
    ),
  );
}

export function adaptiveAvgPool2d(input: Tensor, outputSize: Pair): Tensor {
  return wrap(
    native.adaptiveAvgPool2d(handleOf(input, 'input'), checkIntList('outputSize', outputSize, 2, 0)),
  );
}

export function adaptiveMaxPool2d(input: Tensor, outputSize: Pair): Tensor {
  return wrap(
    native.adaptiveMaxPool2d(handleOf(input, 'input'), checkIntList('outputSize', outputSize, 2, 0)),
  );
}

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return wrap(
    native.linear(handleOf(input, 'input'), handleOf(weight, 'weight'), optionalHandle(bias, 'bias')),
  );
}

export function softmax(input: Tensor, dim: number): Tensor {
  return wrap(native.softmax(handleOf(input, 'input'), checkInt('dim', dim)));
}

export function logSoftmax(input: Tensor, dim: number): Tensor {
  return wrap(native.logSoftmax(handleOf(input, 'input'), checkInt('dim', dim)));
}

export function dropout(input: Tensor, options: { p?: number; training?: boolean } = {}): Tensor {
  const o = checkOptions('options', options);
  const p = opt(o, 'p', 0.5, checkNumber);
  if (p < 0 || p > 1) throw new ArgumentError(`Expected a probability in [0, 1] for p but received ${p}`);
  return wrap(native.dropout(handleOf(input, 'input'), p, opt(o, 'training', true, checkBool)));
}

export interface PadOptions {
  mode?: 'constant' | 'reflect' | 'replicate' | 'circular';
  value?: number;
}
/** Pads the last dimensions: `pads` lists (left, right, top, bottom, ...) as F.pad. */
export function pad(input: Tensor, pads: readonly number[], options: PadOptions = {}): Tensor {
  const o = checkOptions('options', options);
  if (!Array.isArray(pads) || pads.length % 2 !== 0) checkIntList('pads', pads, 2);
  const p = checkIntList('pads', pads, pads.length, -Number.MAX_SAFE_INTEGER);
  const mode = opt(o, 'mode', 'constant', (n, v) =>
    checkOneOf(n, v, ['constant', 'reflect', 'replicate', 'circular'] as const),
  );
  return wrap(native.pad(handleOf(input, 'input'), p, mode, opt(o, 'value', 0, checkNumber)));
}

export interface CrossEntropyOptions {
  weight?: Tensor | null;
  labelSmoothing?: number;
  reduction?: Reduction;
  ignoreIndex?: number;
}
/** Cross entropy of logits `input` (N, C, ...) against int64 class indices `target`. */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const smoothing = opt(o, 'labelSmoothing', 0, checkFinite);
  if (smoothing < 0 || smoothing > 1)
    throw new ArgumentError(`Expected a number in [0, 1] for labelSmoothing but received ${smoothing}`);
  return wrap(
    native.crossEntropy(
      handleOf(input, 'input'),
      handleOf(target, 'target'),
      optionalHandle(o['weight'], 'weight'),
      opt(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions)),
      opt(o, 'ignoreIndex', -100, checkInt),
      smoothing,
    ),
  );
}

export function nllLoss(
  input: Tensor,
  target: Tensor,
  options: Omit<CrossEntropyOptions, 'labelSmoothing'> = {},
): Tensor {
  const o = checkOptions('options', options);
  return wrap(
    native.nllLoss(
      handleOf(input, 'input'),
      handleOf(target, 'target'),
      optionalHandle(o['weight'], 'weight'),
      opt(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions)),
      opt(o, 'ignoreIndex', -100, checkInt),
    ),
  );
}

export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const o = checkOptions('options', options);
  const reduction = opt(o, 'reduction', 'mean', (n, v) => checkOneOf(n, v, reductions));
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
      opt(o, 'alignCorners', false, checkBool),
      opt(o, 'antialias', false, checkBool),
    ),
  );
}
