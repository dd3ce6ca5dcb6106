/**
 * Gradient clipping by the total norm, as `torch.nn.utils.clip_grad_norm_` (the L2 norm):
 * every gradient is scaled by min(1, maxNorm / (totalNorm + 1e-6)), with the norms taken by one
 * foreach call. Tensor ops only, so a captured training step replays it; no value is read.
 */
import { stack } from '../creation.js';
import { checkNumber } from '../validate.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import * as F from './foreach.js';

/**
 * Scales the gradients of `params` in place so that their total L2 norm is at most `maxNorm`
 * (torchvision's `--clip-grad-norm`); returns the total norm before clipping, a one-element
 * tensor (the caller disposes it), or null when no parameter has a gradient.
 */
export function clipGradNorm_(params: readonly Tensor[], maxNorm: number): Tensor | null {
  checkNumber('maxNorm', maxNorm);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return null;
  return noGrad(() => {
    const norms = F.norm(grads, 2);
    const stacked = stack(norms);
    const total = stacked.norm(2, 0); // torch.norm(stacked, 2.0) reduces over dim 0 explicitly
    const shifted = total.add(1e-6);
    const inverse = shifted.reciprocal(); // Python's maxNorm / t is t.reciprocal() * maxNorm
    const coef = inverse.mul(maxNorm);
    const clamped = coef.clamp(null, 1);
    F.mulList_(
      grads,
      grads.map(() => clamped),
    );
    F.disposeAll(norms, grads, [stacked, shifted, inverse, coef, clamped]);
    return total;
  });
}
