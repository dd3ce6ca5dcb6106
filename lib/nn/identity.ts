/** `nn.Identity`: returns its input itself (not a copy), as PyTorch. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** Returns its input itself (not a copy), as `nn.Identity`. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
