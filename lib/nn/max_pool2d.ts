/** `nn.MaxPool2d` (stride defaults to the kernel size, as PyTorch). */
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../validate.js';
import { maxPool2d } from './functional.js';
import { Module } from './module.js';
import { type Pair, bool, pair, pairOption } from './options.js';
import { pyBool, pyPoolPair } from './repr.js';

/** Options of `MaxPool2d` (PyTorch's `nn.MaxPool2d` keywords). */
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

/** 2-D max pooling layer, as `nn.MaxPool2d`. */
export class MaxPool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.kernelSize = pair('kernelSize', kernelSize, 1);
    this.stride =
      o['stride'] === undefined || o['stride'] === null ? this.kernelSize : pair('stride', o['stride'], 1);
    this.padding = pairOption(o, 'padding', [0, 0], 0);
    this.dilation = pairOption(o, 'dilation', [1, 1], 1);
    this.ceilMode = bool(o, 'ceilMode', false);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
    });
  }

  override extraRepr(): string {
    const p = pyPoolPair;
    return `kernel_size=${p(this.kernelSize)}, stride=${p(this.stride)}, padding=${p(this.padding)}, dilation=${p(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}
