/**
 * Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) over a batch, as torchvision's
 * reference script has them (references/classification/transforms.py, `RandomMixup` and
 * `RandomCutmix`, in its collate function): each image is mixed with the one before it in the
 * batch (`roll(1, 0)`), the class indices become one-hot targets mixed the same way, and the
 * mixing weight λ is drawn from Beta(α, α). The targets are class probabilities, which
 * `crossEntropy` takes as soft targets.
 */
import { arange, cat, tensor, where } from '../../creation.js';
import { ArgumentError } from '../../errors.js';
import { isFloatingDType } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { checkFinite, checkInt, fail } from '../../validate.js';
import type { Draws } from './auto_augment.js';
import { sampleBeta } from './beta.js';

/** A transform of whole batches that changes targets too: inputs (N, C, H, W) and class indices (N) or soft targets (N, K). */
export interface BatchMix {
  /** For run configs and logs, e.g. "RandomMixup(p=1, alpha=0.2)". */
  readonly description: string;
  /** The mixed batch: new input and soft-target (N, K) tensors of the input's dtype. */
  apply(input: Tensor, target: Tensor, draws: Draws): { input: Tensor; target: Tensor };
}

/** Options of {@link mixup} and {@link cutmix} (the reference script's keywords). */
export interface MixOptions {
  /** Classes K of the one-hot targets. */
  numClasses: number;
  /** The probability that a batch is mixed (torchvision's class default 0.5; its train.py passes 1.0). */
  p?: number;
  /** Beta(α, α)'s α for λ (default 1). */
  alpha?: number;
}

/** The one-hot (N, K) targets of class indices, in `dtype` (soft targets are kept as they are). */
function soft(target: Tensor, numClasses: number, like: Tensor): Tensor {
  if (isFloatingDType(target.dtype)) {
    if (target.ndim !== 2 || target.shape[1] !== numClasses)
      throw new ArgumentError(`Expected soft targets of shape [N, ${numClasses}] but received [${target.shape.join(', ')}]`); // prettier-ignore
    return target;
  }
  if (target.dtype !== 'int64' || target.ndim !== 1)
    throw new ArgumentError(`Expected int64 class indices (N) or float (N, K) targets but received a ${target.dtype} tensor of shape [${target.shape.join(', ')}]`); // prettier-ignore
  if (target.shape[0]! > 0) {
    const [lo, hi] = [target.min().item(), target.max().item()];
    if (lo < 0 || hi >= numClasses)
      throw new ArgumentError(
        `Expected class indices in [0, ${numClasses}) but received values from ${lo} to ${hi}`,
      );
  }
  return target
    .unsqueeze(1)
    .eq(arange(0, numClasses, 1, { dtype: 'int64', device: target.device }))
    .to(like.dtype);
}

/** `x.roll(1, 0)`: each element takes the place of the next, the last comes first. */
const rolled = (x: Tensor): Tensor => cat([x.narrow(0, x.shape[0]! - 1, 1), x.narrow(0, 0, x.shape[0]! - 1)]);

function checkBatch(input: Tensor, target: Tensor): void {
  if (input.ndim !== 4 || !isFloatingDType(input.dtype) || target.shape[0] !== input.shape[0] || input.shape[0] === 0)
    throw new ArgumentError(`Expected a float (N, C, H, W) input batch (N > 0) with N targets but received input [${input.shape.join(', ')}] of ${input.dtype} and target [${target.shape.join(', ')}]`); // prettier-ignore
}

/** Mixup at a given λ: `λ·x + (1 − λ)·roll(x)` for inputs and one-hot targets, as `RandomMixup` computes it. */
export function mixupWith(
  input: Tensor,
  target: Tensor,
  numClasses: number,
  lambda: number,
): { input: Tensor; target: Tensor } {
  checkBatch(input, target);
  const t = soft(target, numClasses, input);
  return {
    input: input.mul(lambda).add(rolled(input).mul(1 - lambda)),
    target: t.mul(lambda).add(rolled(t).mul(1 - lambda)),
  };
}

/** CutMix's result: the batch, its targets, λ corrected to the pasted box's area, and the box [x1, y1, x2, y2]. */
export interface CutmixResult {
  /** The batch with the box pasted from the previous image. */
  input: Tensor;
  /** The mixed one-hot targets. */
  target: Tensor;
  /** 1 − box area / image area. */
  lambda: number;
  /** The pasted box, x1, y1 inclusive, x2, y2 exclusive. */
  box: [number, number, number, number];
}

/**
 * CutMix at a given λ and box center (rx, ry): the box of half-sides `int(0.5·√(1 − λ)·W)` and
 * `int(0.5·√(1 − λ)·H)` around the center, clipped to the image, is pasted from the previous
 * image, and the targets are mixed by the box's actual area, as `RandomCutmix` computes it.
 */
export function cutmixWith(
  input: Tensor,
  target: Tensor,
  numClasses: number,
  lambda: number,
  center: readonly [number, number],
): CutmixResult {
  // prettier-ignore
  checkBatch(input, target);
  const t = soft(target, numClasses, input);
  const [, , H, W] = input.shape as [number, number, number, number];
  const [rx, ry] = center;
  const r = 0.5 * Math.sqrt(1 - lambda);
  const [rw, rh] = [Math.trunc(r * W), Math.trunc(r * H)];
  const box: [number, number, number, number] = [Math.max(rx - rw, 0), Math.max(ry - rh, 0), Math.min(rx + rw, W), Math.min(ry + rh, H)]; // prettier-ignore
  const [x1, y1, x2, y2] = box;
  const mask = new Uint8Array(H * W);
  for (let y = y1; y < y2; y++) mask.fill(1, y * W + x1, y * W + x2);
  const inBox = tensor(mask, { shape: [1, 1, H, W], dtype: 'bool', device: input.device });
  const corrected = 1 - ((x2 - x1) * (y2 - y1)) / (W * H);
  return {
    input: where(inBox, rolled(input), input),
    target: t.mul(corrected).add(rolled(t).mul(1 - corrected)),
    lambda: corrected,
    box,
  };
}

function mixOptions(name: string, o: MixOptions): { k: number; p: number; alpha: number } {
  const k = checkInt('numClasses', o?.numClasses, 1);
  const p = checkFinite('p', o.p ?? 0.5);
  if (p < 0 || p > 1) fail('p', 'a probability in [0, 1]', p);
  const alpha = checkFinite('alpha', o.alpha ?? 1);
  if (!(alpha > 0)) fail('alpha', `a positive number (${name}'s Beta(α, α))`, alpha);
  return { k, p, alpha };
}

/** torchvision's `RandomMixup(num_classes, p, alpha)`: with probability p, mixup at λ ~ Beta(α, α). */
export function mixup(options: MixOptions): BatchMix {
  const { k, p, alpha } = mixOptions('mixup', options);
  return {
    description: `RandomMixup(num_classes=${k}, p=${p}, alpha=${alpha})`,
    apply(input, target, draws) {
      checkBatch(input, target);
      if (draws.next() >= p) return { input: input.clone(), target: soft(target, k, input).clone() };
      return mixupWith(input, target, k, sampleBeta(alpha, draws));
    },
  };
}

/** torchvision's `RandomCutmix(num_classes, p, alpha)`: with probability p, CutMix at λ ~ Beta(α, α) around a uniform center. */
export function cutmix(options: MixOptions): BatchMix {
  const { k, p, alpha } = mixOptions('cutmix', options);
  return {
    description: `RandomCutmix(num_classes=${k}, p=${p}, alpha=${alpha})`,
    apply(input, target, draws) {
      checkBatch(input, target);
      if (draws.next() >= p) return { input: input.clone(), target: soft(target, k, input).clone() };
      const lambda = sampleBeta(alpha, draws);
      const [, , H, W] = input.shape as [number, number, number, number];
      const rx = draws.int(W);
      const ry = draws.int(H);
      const { input: x, target: t } = cutmixWith(input, target, k, lambda, [rx, ry]);
      return { input: x, target: t };
    },
  };
}

/** One of `mixes` per batch, drawn uniformly (torchvision's `RandomChoice`, as train.py combines mixup and cutmix). */
export function randomChoiceMix(mixes: readonly BatchMix[]): BatchMix {
  if (!Array.isArray(mixes) || mixes.length === 0) fail('mixes', 'a non-empty array of batch mixes', mixes);
  if (mixes.length === 1) return mixes[0]!;
  return {
    description: `RandomChoice(${mixes.map((m) => m.description).join(', ')})`,
    apply: (input, target, draws) => mixes[draws.int(mixes.length)]!.apply(input, target, draws),
  };
}
