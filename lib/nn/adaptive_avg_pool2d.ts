/** `nn.AdaptiveAvgPool2d`: average pooling to a fixed output size ((1, 1): global pooling). */
import type { Tensor } from '../tensor.js';
import { adaptiveAvgPool2d } from './functional.js';
import { Module } from './module.js';
import { type Pair, pair } from './options.js';
import { pyTuple } from './repr.js';

/** Average pooling to a fixed output size, as `nn.AdaptiveAvgPool2d` (`new AdaptiveAvgPool2d(1)`: global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: readonly [number, number];

  constructor(outputSize: Pair) {
    super();
    this.outputSize = pair('outputSize', outputSize, 1);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyTuple(this.outputSize)}`;
  }
}
