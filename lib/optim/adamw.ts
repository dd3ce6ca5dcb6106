/** Adam with decoupled weight decay, as torch.optim.AdamW (amsgrad included). */
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import { ArgumentError } from '../errors.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg } from './optimizer.js';

/** Options of `AdamW`, as `torch.optim.AdamW`'s (camelCased). */
export interface AdamWOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Decoupled weight decay coefficient (default 1e-2). */
  weightDecay: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`, AMSGrad included. */
export class AdamW extends Optimizer<AdamWOptions> {
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

  protected validate(o: AdamWOptions): void {
    checkRange('lr', o.lr, 0);
    checkRange('eps', o.eps, 0);
    checkRange('weightDecay', o.weightDecay, 0);
    if (!Array.isArray(o.betas) || o.betas.length !== 2)
      throw new ArgumentError('Expected [beta1, beta2] for betas');
    checkRange('betas[0]', o.betas[0], 0, 1);
    checkRange('betas[1]', o.betas[1], 0, 1);
  }

  protected stepNumbers(state: ParamState, o: AdamWOptions): number[] {
    const step = ((state['step'] as number | undefined) ?? 0) + 1;
    state['step'] = step;
    const [beta1, beta2] = o.betas;
    const bc1 = 1 - beta1 ** step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    return [1 - o.lr * o.weightDecay, beta1, 1 - beta1, beta2, 1 - beta2, bc2Sqrt, o.eps, -o.lr / bc1];
  }

  protected structure(state: ParamState, o: AdamWOptions): string {
    return [o.maximize, o.amsgrad, state['exp_avg'] !== undefined].map(Number).join('');
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, o: AdamWOptions, n: readonly number[]): void {
    const [decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, stepSize] = n as number[] as [
      number, number, number, number, number, number, number, number,
    ]; // prettier-ignore
    const g = o.maximize ? grad.neg() : grad;
    if (state['exp_avg'] === undefined) {
      state['exp_avg'] = zerosLike(p);
      state['exp_avg_sq'] = zerosLike(p);
      if (o.amsgrad) state['max_exp_avg_sq'] = zerosLike(p);
    }
    const expAvg = state['exp_avg'] as Tensor;
    const expAvgSq = state['exp_avg_sq'] as Tensor;
    p.mul_(decay);
    expAvg.mul_(beta1).add_(g, oneMinusBeta1);
    expAvgSq.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
    let second = expAvgSq;
    if (o.amsgrad) {
      const max = state['max_exp_avg_sq'] as Tensor;
      const larger = max.maximum(expAvgSq);
      max.copy_(larger);
      larger.dispose();
      second = max;
    }
    const denom = second.sqrt().div_(bc2Sqrt).add_(eps);
    p.addcdiv_(expAvg, denom, stepSize);
    denom.dispose();
    if (g !== grad) g.dispose();
  }
}
