/** `nn.ReLU`; `inplace` overwrites the input as PyTorch's does (torchvision's ResNets use it). */
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../validate.js';
import { relu } from './functional.js';
import { Module } from './module.js';
import { bool } from './options.js';
import { pyBool } from './repr.js';

/** Elementwise max(x, 0), as `nn.ReLU`; `{ inplace: true }` overwrites the input. */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(options: { inplace?: boolean } = {}) {
    super();
    this.inplace = bool(checkOptions('options', options), 'inplace', false);
  }

  forward(x: Tensor): Tensor {
    return this.inplace ? x.relu_() : relu(x);
  }

  override extraRepr(): string {
    return this.inplace ? `inplace=${pyBool(true)}` : '';
  }
}
