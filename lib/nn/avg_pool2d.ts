/** `nn.AvgPool2d` (stride defaults to the kernel size, as PyTorch). */
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../validate.js';
import { avgPool2d } from './functional.js';
import { Module } from './module.js';
import { type Pair, bool, pair, pairOption } from './options.js';
import { pyPoolPair } from './repr.js';

/** Options of `AvgPool2d` (PyTorch's `nn.AvgPool2d` keywords). */
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

/** 2-D average pooling layer, as `nn.AvgPool2d`. */
export class AvgPool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.kernelSize = pair('kernelSize', kernelSize, 1);
    this.stride =
      o['stride'] === undefined || o['stride'] === null ? this.kernelSize : pair('stride', o['stride'], 1);
    this.padding = pairOption(o, 'padding', [0, 0], 0);
    this.ceilMode = bool(o, 'ceilMode', false);
    this.countIncludePad = bool(o, 'countIncludePad', true);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    const p = pyPoolPair;
    return `kernel_size=${p(this.kernelSize)}, stride=${p(this.stride)}, padding=${p(this.padding)}`;
  }
}
