/** Adam with decoupled weight decay, as torch.optim.AdamW (amsgrad included). */
import { AdamBase, type AdamOptions } from './adam_base.js';
import type { ParamsArg } from './optimizer.js';

/** Options of `AdamW`, as `torch.optim.AdamW`'s (camelCased); `weightDecay` (default 1e-2) shrinks the weights by lr * weightDecay each step. */
export type AdamWOptions = AdamOptions;

/** Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`, AMSGrad included. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(params: ParamsArg<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...options,
    });
  }
}
