/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, as torch.optim.SGD. */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import * as F from './foreach.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg, type UpdateBatch } from './optimizer.js';

/** Options of `SGD`, as `torch.optim.SGD`'s (camelCased). */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening of the momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and no dampening). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, as `torch.optim.SGD`. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super(params, {
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
  }

  protected validate(o: SGDOptions): void {
    checkRange('lr', o.lr, 0);
    checkRange('momentum', o.momentum, 0);
    checkRange('dampening', o.dampening, 0);
    checkRange('weightDecay', o.weightDecay, 0);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError('Nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  protected stepNumbers(_state: ParamState, o: SGDOptions): number[] {
    return [o.weightDecay, o.momentum, 1 - o.dampening, -o.lr];
  }

  protected structure(state: ParamState, o: SGDOptions): string {
    const flags = [
      o.maximize,
      o.weightDecay !== 0,
      o.momentum !== 0,
      o.nesterov,
      state['momentum_buffer'] !== undefined,
    ];
    return flags.map(Number).join('');
  }

  protected update({ params, grads, states, options: o, numbers }: UpdateBatch<SGDOptions>): void {
    const [weightDecay, momentum, keep1MinusDampening, negLr] = numbers[0] as [
      number,
      number,
      number,
      number,
    ];
    // Temporaries are disposed at once: a step runs thousands of times.
    const temps: Tensor[][] = [];
    const keep = (ts: Tensor[]): Tensor[] => (temps.push(ts), ts);
    let d = o.maximize ? keep(F.neg(grads)) : grads;
    if (o.weightDecay !== 0) d = keep(F.add(d, params, weightDecay));
    if (o.momentum !== 0) {
      const bufs: Tensor[] = [];
      const old: Tensor[] = [];
      const oldD: Tensor[] = [];
      d.forEach((dk, k) => {
        const state = states[k]!;
        const buf = state['momentum_buffer'] as Tensor | undefined;
        if (buf === undefined) {
          state['momentum_buffer'] = dk.clone(); // the first step's buffer is the gradient itself
        } else {
          old.push(buf);
          oldD.push(dk);
        }
        bufs.push(state['momentum_buffer'] as Tensor);
      });
      if (old.length > 0) {
        F.mul_(old, momentum);
        F.add_(old, oldD, keep1MinusDampening);
      }
      d = o.nesterov ? keep(F.add(d, bufs, momentum)) : bufs;
    }
    F.add_(params, d, negLr);
    F.disposeAll(...temps);
  }
}
