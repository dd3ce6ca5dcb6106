/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, as torch.optim.SGD. */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg } from './optimizer.js';

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

  protected update(p: Tensor, grad: Tensor, state: ParamState, o: SGDOptions, n: readonly number[]): void {
    const [weightDecay, momentum, keep1MinusDampening, negLr] = n as [number, number, number, number];
    // Temporaries are disposed at once: a step runs thousands of times.
    const temps: Tensor[] = [];
    const keep = (t: Tensor): Tensor => (temps.push(t), t);
    let d = o.maximize ? keep(grad.neg()) : grad;
    if (o.weightDecay !== 0) d = keep(d.add(p, weightDecay));
    if (o.momentum !== 0) {
      let buf = state['momentum_buffer'] as Tensor | undefined;
      if (buf === undefined) {
        buf = d.clone();
        state['momentum_buffer'] = buf;
      } else {
        buf.mul_(momentum).add_(d, keep1MinusDampening);
      }
      d = o.nesterov ? keep(d.add(buf, momentum)) : buf;
    }
    p.add_(d, negLr);
    for (const t of temps) t.dispose();
  }
}
