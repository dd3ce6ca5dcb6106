/**
 * What Adam and AdamW share: the moments, bias corrections and AMSGrad, as torch.optim's
 * `_multi_tensor_adam`/`_multi_tensor_adamw`. They differ only in the weight decay: an L2
 * penalty added to the gradient (Adam) or the weights shrunk by lr * weightDecay (AdamW).
 */
import { native } from '../binding.js';
import { zerosLike } from '../creation.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import * as F from './foreach.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg, type UpdateBatch } from './optimizer.js';

/** Options of `Adam` and `AdamW`, as torch.optim's (camelCased). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** The base of `Adam` and `AdamW`. */
export abstract class AdamBase extends Optimizer<AdamOptions> {
  /** Whether the weight decay is decoupled (AdamW) rather than an L2 penalty (Adam). */
  protected abstract readonly decoupled: boolean;

  protected constructor(params: ParamsArg<AdamOptions>, defaults: AdamOptions) {
    super(params, defaults);
  }

  protected validate(o: AdamOptions): void {
    checkRange('lr', o.lr, 0);
    checkRange('eps', o.eps, 0);
    checkRange('weightDecay', o.weightDecay, 0);
    if (!Array.isArray(o.betas) || o.betas.length !== 2)
      throw new ArgumentError('Expected [beta1, beta2] for betas');
    checkRange('betas[0]', o.betas[0], 0, 1);
    checkRange('betas[1]', o.betas[1], 0, 1);
  }

  protected stepNumbers(state: ParamState, o: AdamOptions): number[] {
    const step = ((state['step'] as number | undefined) ?? 0) + 1;
    state['step'] = step;
    const [beta1, beta2] = o.betas;
    // C's pow, as Python's float ** float (V8's ** may differ in the last bit)
    const bc1 = 1 - native.powNumber(beta1, step);
    const bc2Sqrt = Math.sqrt(1 - native.powNumber(beta2, step));
    const decay = this.decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay;
    return [decay, beta1, 1 - beta1, beta2, 1 - beta2, bc2Sqrt, o.eps, -o.lr / bc1];
  }

  protected structure(state: ParamState, o: AdamOptions): string {
    return [o.maximize, o.amsgrad, o.weightDecay !== 0, state['exp_avg'] !== undefined].map(Number).join('');
  }

  protected update({ params, grads, states, options: o, numbers }: UpdateBatch<AdamOptions>): void {
    const [decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, , eps] = numbers[0]!;
    // per parameter: their step counts may differ
    const bc2Sqrt = numbers.map((n) => n[5]!);
    const stepSize = numbers.map((n) => n[7]!);
    const temps: Tensor[][] = [];
    const keep = (ts: Tensor[]): Tensor[] => (temps.push(ts), ts);
    let g = o.maximize ? keep(F.neg(grads)) : grads;
    for (const [k, state] of states.entries()) {
      if (state['exp_avg'] !== undefined) continue;
      state['exp_avg'] = zerosLike(params[k]!);
      state['exp_avg_sq'] = zerosLike(params[k]!);
      if (o.amsgrad) state['max_exp_avg_sq'] = zerosLike(params[k]!);
    }
    const expAvg = states.map((s) => s['exp_avg'] as Tensor);
    const expAvgSq = states.map((s) => s['exp_avg_sq'] as Tensor);
    if (o.weightDecay !== 0) {
      if (this.decoupled) F.mul_(params, decay!);
      else g = keep(F.add(g, params, decay));
    }
    F.mul_(expAvg, beta1!);
    F.add_(expAvg, g, oneMinusBeta1);
    F.mul_(expAvgSq, beta2!);
    F.addcmul_(expAvgSq, g, g, oneMinusBeta2!);
    let second = expAvgSq;
    if (o.amsgrad) {
      second = states.map((s) => s['max_exp_avg_sq'] as Tensor);
      F.maximum_(second, expAvgSq);
    }
    const denom = keep(F.sqrt(second));
    F.divScalars_(denom, bc2Sqrt);
    F.addScalar_(denom, eps!);
    F.addcdivScalars_(params, expAvg, denom, stepSize);
    F.disposeAll(...temps);
  }
}
