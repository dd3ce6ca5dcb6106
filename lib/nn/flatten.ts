/** `nn.Flatten`: flattens dims startDim..endDim (by default all but the batch dim). */
import type { Tensor } from '../tensor.js';
import { checkInt } from '../validate.js';
import { Module } from './module.js';

/** Flattens dimensions `startDim`..`endDim` (default 1..-1: all but the batch dimension), as `nn.Flatten`. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt('startDim', startDim);
    this.endDim = checkInt('endDim', endDim);
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
