/** `nn.AvgPool2d` (stride defaults to the kernel size, as PyTorch). */
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../validate.js';
import { avgPool2d } from './functional.js';
import { Module } from './module.js';
import { type Pair, bool, pair, pairOption } from './options.js';

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

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
    const p = (v: readonly number[]): string => `[${v.join(', ')}]`;
    return `kernelSize=${p(this.kernelSize)}, stride=${p(this.stride)}, padding=${p(this.padding)}`;
  }
}
