/** RMSprop, as torch.optim.RMSprop (centered and momentum variants included). */
import { zerosLike } from '../creation.js';
import type { Tensor } from '../tensor.js';
import * as F from './foreach.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg, type UpdateBatch } from './optimizer.js';

/** Options of `RMSprop`, as `torch.optim.RMSprop`'s (camelCased). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance rather than its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** RMSprop (Hinton's lecture 6e; centered as Graves 2013), as `torch.optim.RMSprop`. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...options,
    });
  }

  protected validate(o: RMSpropOptions): void {
    checkRange('lr', o.lr, 0);
    checkRange('alpha', o.alpha, 0);
    checkRange('eps', o.eps, 0);
    checkRange('weightDecay', o.weightDecay, 0);
    checkRange('momentum', o.momentum, 0);
  }

  protected stepNumbers(state: ParamState, o: RMSpropOptions): number[] {
    state['step'] = ((state['step'] as number | undefined) ?? 0) + 1;
    return [o.weightDecay, o.alpha, 1 - o.alpha, o.eps, o.momentum, -o.lr];
  }

  protected structure(state: ParamState, o: RMSpropOptions): string {
    const flags = [
      o.maximize,
      o.weightDecay !== 0,
      o.momentum > 0,
      o.centered,
      state['square_avg'] !== undefined,
    ];
    return flags.map(Number).join('');
  }

  protected update({ params, grads, states, options: o, numbers }: UpdateBatch<RMSpropOptions>): void {
    const [weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr] = numbers[0] as [
      number, number, number, number, number, number,
    ]; // prettier-ignore
    const temps: Tensor[][] = [];
    const keep = (ts: Tensor[]): Tensor[] => (temps.push(ts), ts);
    // state is created as torch.optim creates it: all of it at a parameter's first step
    for (const [k, state] of states.entries()) {
      if (state['square_avg'] !== undefined) continue;
      state['square_avg'] = zerosLike(params[k]!);
      if (o.momentum > 0) state['momentum_buffer'] = zerosLike(params[k]!);
      if (o.centered) state['grad_avg'] = zerosLike(params[k]!);
    }
    let g = o.maximize ? keep(F.neg(grads)) : grads;
    if (o.weightDecay !== 0) g = keep(F.add(g, params, weightDecay));
    const squareAvg = states.map((s) => s['square_avg'] as Tensor);
    F.mul_(squareAvg, alpha);
    F.addcmul_(squareAvg, g, g, oneMinusAlpha);
    let avg: Tensor[];
    if (o.centered) {
      const gradAvg = states.map((s) => s['grad_avg'] as Tensor);
      F.mul_(gradAvg, alpha);
      F.add_(gradAvg, g, oneMinusAlpha);
      avg = keep(F.addcmul(squareAvg, gradAvg, gradAvg, -1));
      F.sqrt_(avg);
    } else {
      avg = keep(F.sqrt(squareAvg));
    }
    F.addScalar_(avg, eps);
    if (o.momentum > 0) {
      const buf = states.map((s) => s['momentum_buffer'] as Tensor);
      F.mul_(buf, momentum);
      F.addcdiv_(buf, g, avg, 1);
      F.add_(params, buf, negLr);
    } else {
      F.addcdiv_(params, g, avg, negLr);
    }
    F.disposeAll(...temps);
  }
}
