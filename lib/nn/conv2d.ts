/** `nn.Conv2d` with PyTorch's default initialization. */
import { ArgumentError } from '../errors.js';
import { empty } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { checkInt, checkOptions } from '../validate.js';
import { conv2d } from './functional.js';
import { resetWeightAndBias } from './default_init.js';
import { Module } from './module.js';
import { type Pair, bool, int, pair, pairOption } from './options.js';
import { pyBool, pyTuple } from './repr.js';

/** Options of `Conv2d` (PyTorch's `nn.Conv2d` keywords). */
export interface Conv2dOptions {
  /** Stride, one number or [h, w] (default 1). */
  stride?: Pair;
  /** Zero padding on each side, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing between kernel elements (default 1). */
  dilation?: Pair;
  /** Blocked connections: in and out channels must both divide by it (default 1). */
  groups?: number;
  /** Whether to learn a per-output-channel bias (default true). */
  bias?: boolean;
}

/** 2-D convolution layer, as `nn.Conv2d`: a `weight` of shape (outChannels, inChannels / groups, kH, kW) and an optional `bias`, initialized as PyTorch. */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.inChannels = checkInt('inChannels', inChannels, 1);
    this.outChannels = checkInt('outChannels', outChannels, 1);
    this.kernelSize = pair('kernelSize', kernelSize, 1);
    this.stride = pairOption(o, 'stride', [1, 1], 1);
    this.padding = pairOption(o, 'padding', [0, 0], 0);
    this.dilation = pairOption(o, 'dilation', [1, 1], 1);
    this.groups = int(o, 'groups', 1, 1);
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      throw new ArgumentError(
        `Expected inChannels (${this.inChannels}) and outChannels (${this.outChannels}) divisible by groups (${this.groups})`,
      );
    }
    const [kh, kw] = this.kernelSize;
    this.registerParameter('weight', empty([this.outChannels, this.inChannels / this.groups, kh, kw]));
    this.registerParameter('bias', bool(o, 'bias', true) ? empty([this.outChannels]) : null);
    this.resetParameters();
  }

  /** The kernel parameter, (outChannels, inChannels / groups, kH, kW). */
  get weight(): Tensor {
    return this.getParameter('weight');
  }
  /** The bias parameter (outChannels), or null with `bias: false`. */
  get bias(): Tensor | null {
    return this.parameterOrNull('bias');
  }

  /** PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(±1/sqrt(fan_in)), for weight and bias. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, {
      bias: this.bias,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}`];
    parts.push(`stride=${pyTuple(this.stride)}`);
    if (this.padding.some((p) => p !== 0)) parts.push(`padding=${pyTuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${pyTuple(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push(`bias=${pyBool(false)}`);
    return parts.join(', ');
  }
}
