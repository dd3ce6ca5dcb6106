/** `nn.Dropout`: zeroes elements with probability p in training (scaling the rest by 1/(1-p)). */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkFinite } from '../validate.js';
import { dropout } from './functional.js';
import { Module } from './module.js';
import { pyBool, pyFloat } from './repr.js';

/** In training mode, zeroes elements with probability `p` (default 0.5) and scales the rest by 1/(1-p); the identity in eval mode. As `nn.Dropout`. */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = checkFinite('p', p);
    if (this.p < 0 || this.p > 1)
      throw new ArgumentError(`Expected a probability in [0, 1] for p but received ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(false)}`;
  }
}
