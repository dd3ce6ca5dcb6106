/**
 * `torch.nn.init`: in-place initializers, run without recording gradients, drawing from the
 * same generator as `randn` (so with the same `manualSeed` they give PyTorch's numbers). Fans
 * are computed as PyTorch's `_calculate_fan_in_and_fan_out`.
 *
 * @module
 */
import { ArgumentError } from '../errors.js';
import { noGrad } from '../runtime.js';
import { type Tensor, handleOf } from '../tensor.js';
import { checkFinite, checkOneOf, checkOptions } from '../validate.js';

/** The nonlinearities `calculateGain` knows, in PyTorch's spelling (plus `'leakyRelu'`). */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu'; // prettier-ignore
const nonlinearities: readonly Nonlinearity[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'leakyRelu', 'selu',
]; // prettier-ignore

/** The recommended gain for a nonlinearity (PyTorch's `calculate_gain`). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  const n = checkOneOf('nonlinearity', nonlinearity, nonlinearities);
  if (n === 'tanh') return 5.0 / 3;
  if (n === 'relu') return Math.sqrt(2.0);
  if (n === 'selu') return 3.0 / 4;
  if (n === 'leaky_relu' || n === 'leakyRelu') {
    const slope = param === undefined ? 0.01 : checkFinite('param', param);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  return 1; // linear, convolutions, sigmoid
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (dims 2 and up). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  handleOf(tensor, 'tensor');
  const shape = tensor.shape;
  if (shape.length < 2) {
    throw new ArgumentError(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (received shape [${shape.join(', ')}])`,
    );
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [(shape[1] as number) * receptive, (shape[0] as number) * receptive];
}

/** Which fan Kaiming initialization scales by: `fanIn` preserves the forward pass's variance, `fanOut` the backward pass's (snake_case accepted too). */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';
/** Options of `kaimingUniform_` and `kaimingNormal_` (PyTorch's keywords). */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  /** Fan to scale by (default `'fanIn'`). */
  mode?: FanMode;
  /** The nonlinearity that follows, for the gain (default `'leaky_relu'`). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, options: KaimingOptions): number {
  const o = checkOptions('options', options);
  const a = o['a'] === undefined ? 0 : checkFinite('a', o['a']);
  const mode =
    o['mode'] === undefined
      ? 'fanIn'
      : checkOneOf('mode', o['mode'], ['fanIn', 'fanOut', 'fan_in', 'fan_out'] as const);
  const nonlinearity = (o['nonlinearity'] ?? 'leaky_relu') as Nonlinearity;
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fanIn : fanOut;
  // Same expression order as PyTorch, so the bound is the same double.
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

const empty = (t: Tensor): boolean => t.shape.includes(0);

/** U(from, to) in place. */
export function uniform_(tensor: Tensor, from = 0, to = 1): Tensor {
  handleOf(tensor, 'tensor');
  return noGrad(() => tensor.uniform_(from, to));
}

/** N(mean, std²) in place. */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  handleOf(tensor, 'tensor');
  return noGrad(() => tensor.normal_(mean, std));
}

/** Fills `tensor` with `value` in place (without recording gradients); returns it. */
export function constant_(tensor: Tensor, value: number): Tensor {
  handleOf(tensor, 'tensor');
  return noGrad(() => tensor.fill_(value));
}

/** Fills `tensor` with 0 in place; returns it. */
export const zeros_ = (tensor: Tensor): Tensor => constant_(tensor, 0);
/** Fills `tensor` with 1 in place; returns it. */
export const ones_ = (tensor: Tensor): Tensor => constant_(tensor, 1);

/** He et al. 2015: U(±sqrt(3)·gain/sqrt(fan)). Defaults as PyTorch: a = 0, fanIn, leaky_relu. */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  handleOf(tensor, 'tensor');
  if (empty(tensor)) return tensor; // PyTorch warns and leaves a zero-element tensor alone
  const bound = Math.sqrt(3.0) * kaimingStd(tensor, options);
  return noGrad(() => tensor.uniform_(-bound, bound));
}

/** He et al. 2015: N(0, (gain/sqrt(fan))²). */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  handleOf(tensor, 'tensor');
  if (empty(tensor)) return tensor;
  const std = kaimingStd(tensor, options);
  return noGrad(() => tensor.normal_(0, std));
}

/** Glorot & Bengio 2010: U(±gain·sqrt(6/(fanIn+fanOut))). */
export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = checkFinite('gain', gain) * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-a, a));
}

/** Glorot & Bengio 2010: N(0, gain²·2/(fanIn+fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = checkFinite('gain', gain) * Math.sqrt(2.0 / (fanIn + fanOut));
  return noGrad(() => tensor.normal_(0, std));
}

// PyTorch's spellings, so code ported from Python reads the same.
export {
  calculateGain as calculate_gain,
  kaimingNormal_ as kaiming_normal_,
  kaimingUniform_ as kaiming_uniform_,
  xavierNormal_ as xavier_normal_,
  xavierUniform_ as xavier_uniform_,
};
