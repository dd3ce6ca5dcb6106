/** Adam, as torch.optim.Adam (amsgrad included). */
import { AdamBase, type AdamOptions } from './adam_base.js';
import type { ParamsArg } from './optimizer.js';

/** Adam (Kingma & Ba), as `torch.optim.Adam`, AMSGrad included. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...options,
    });
  }
}
