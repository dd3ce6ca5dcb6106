/**
 * LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks"), as the
 * LARS of facebookresearch's DINO and Barlow Twins: each weight's update is scaled by a trust
 * ratio eta * ||w|| / ||g + wd * w||, then SGD momentum. Biases and normalization weights
 * (one-dimensional parameters) get neither weight decay nor the trust ratio, as there.
 * torch.optim has no LARS: the tests compare with that reference algorithm run in PyTorch.
 */
import { stack, where, zerosLike } from '../creation.js';
import type { Tensor } from '../tensor.js';
import * as F from './foreach.js';
import { Optimizer, checkRange, type ParamState, type ParamsArg, type UpdateBatch } from './optimizer.js';

/** Options of `LARS`. */
export interface LARSOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor (default 0.9). */
  momentum: number;
  /** L2 penalty added to the gradient of multi-dimensional weights (default 0). */
  weightDecay: number;
  /** Trust coefficient (default 0.001). */
  eta: number;
}

/** Layer-wise adaptive rate scaling with SGD momentum (see the module comment). */
export class LARS extends Optimizer<LARSOptions> {
  constructor(params: ParamsArg<LARSOptions>, options: Partial<LARSOptions> & { lr: number }) {
    super(params, { momentum: 0.9, weightDecay: 0, eta: 0.001, ...options });
  }

  protected validate(o: LARSOptions): void {
    checkRange('lr', o.lr, 0);
    checkRange('momentum', o.momentum, 0);
    checkRange('weightDecay', o.weightDecay, 0);
    checkRange('eta', o.eta, 0);
  }

  protected stepNumbers(_state: ParamState, o: LARSOptions): number[] {
    return [o.weightDecay, o.momentum, o.eta, -o.lr];
  }

  protected structure(state: ParamState, o: LARSOptions): string {
    return [o.weightDecay !== 0, state['mu'] !== undefined].map(Number).join('');
  }

  protected update({ params, grads, states, options: o, numbers }: UpdateBatch<LARSOptions>): void {
    const [weightDecay, momentum, eta, negLr] = numbers[0] as [number, number, number, number];
    const temps: Tensor[] = [];
    const keep = <T extends Tensor | Tensor[]>(t: T): T => (temps.push(...(Array.isArray(t) ? t : [t])), t);
    const adapted = params.flatMap((p, k) => (p.ndim !== 1 ? [k] : []));
    const dp = grads.slice();
    if (adapted.length > 0) {
      const ps = adapted.map((k) => params[k]!);
      let ds = adapted.map((k) => grads[k]!);
      if (o.weightDecay !== 0) ds = keep(F.add(ds, ps, weightDecay));
      // the trust ratios of all adapted weights at once, from their norms stacked in one vector
      const pn = keep(stack(keep(F.norm(ps))));
      const un = keep(stack(keep(F.norm(ds))));
      const ratio = keep(keep(pn.mul(eta)).div(un));
      const inner = keep(where(keep(un.gt(0)), ratio, 1));
      const q = keep(where(keep(pn.gt(0)), inner, 1));
      const scaled = keep(F.mulList(ds, keep(q.split(1))));
      adapted.forEach((k, j) => (dp[k] = scaled[j]!));
    }
    for (const [k, state] of states.entries()) state['mu'] ??= zerosLike(params[k]!);
    const mu = states.map((s) => s['mu'] as Tensor);
    F.mul_(mu, momentum);
    F.add_(mu, dp, 1);
    F.add_(params, mu, negLr);
    for (const t of temps) t.dispose();
  }
}
