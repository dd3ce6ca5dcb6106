/**
 * Random filter-normalized directions (Li et al. 2018, section 4): a Gaussian direction with
 * the shape of each weight, rescaled filter by filter (each output channel of a convolution,
 * each row of a linear layer) to the norm of the corresponding filter of the trained weights,
 * so that slices of networks of different scales compare. Batch norm parameters and biases get
 * zero (Li et al.'s default "ignore biasbn"); buffers stay as trained.
 */
import { randn } from '../creation.js';
import type { Module } from '../nn/module.js';
import { noGrad, tidy } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { zeros } from '../creation.js';

/** One direction: a tensor per parameter, by parameter name. */
export type Direction = Map<string, Tensor>;

/** A filter-normalized random direction for `model` (draws follow `manualSeed`). */
export function filterNormalizedDirection(model: Module): Direction {
  const d: Direction = new Map();
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (p.ndim <= 1) {
        d.set(name, zeros(p.shape));
        continue;
      }
      const t = tidy(() => {
        const r = randn(p.shape);
        const dims = p.shape.map((_, i) => i).slice(1);
        const scale = p.norm(2, dims, true).div(r.norm(2, dims, true).add(1e-10));
        return r.mul(scale);
      });
      d.set(name, t);
    }
  });
  return d;
}

/** The trained weights, copied, to return to between slice points. */
export function snapshot(model: Module): Direction {
  return new Map(noGrad(() => model.namedParameters().map(([n, p]) => [n, p.clone()] as [string, Tensor])));
}

/** Sets the model's parameters to θ + a·δ + b·η in place (the tensors stay the same objects). */
export function moveTo(
  model: Module,
  theta: Direction,
  dirs: readonly Direction[],
  coords: readonly number[],
): void {
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      tidy(() => {
        let v = theta.get(name)!;
        dirs.forEach((d, k) => {
          if (coords[k] !== 0) v = v.add(d.get(name)!, coords[k]);
        });
        p.copy_(v);
      });
    }
  });
}

/** Frees a direction's tensors. */
export const disposeDirection = (d: Direction): void => d.forEach((t) => t.dispose());
