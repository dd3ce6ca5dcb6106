/**
 * torchvision 0.14's automatic augmentation policies as batch transforms: TrivialAugmentWide,
 * RandAugment and AutoAugment, each drawing its ops per image, as the reference recipes'
 * `--auto-augment ta_wide|ra|imagenet` put them after the crop and flip and before normalization.
 *
 * torchvision runs them on 8-bit images (PIL, or uint8 tensors); here a float batch in [0, 1]
 * (what the DataLoader makes of uint8 pixels) is taken back to its 8-bit values, augmented with
 * torchvision's uint8 arithmetic (lib/data/transforms/augment_*.ts) and scaled back by 1/255.
 */
import { stack } from '../../creation.js';
import { ArgumentError } from '../../errors.js';
import { tidy } from '../../runtime.js';
import type { Tensor } from '../../tensor.js';
import { checkInt, checkOneOf } from '../../validate.js';
import { applyAugmentOp, type AugmentInterpolation } from './augment_ops.js';
import { autoAugmentPolicies, type AutoAugmentPolicy } from './augment_policies.js';
import {
  autoAugmentSpace,
  randAugmentSpace,
  trivialAugmentWideSpace,
  type AugmentSpaceOp,
} from './augment_spaces.js';
import type { Transform } from './transform.js';

/** The random draws an augmentation makes: uniform in [0, 1) and uniform integers in [0, n) (a `Rng`, or scripted ones in tests). */
export interface Draws {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** A batch transform that augments each image on its own; `augmentImage` is the per-image step. */
export interface ImageAugmentation extends Transform {
  /** Augments one (C, H, W) image of 8-bit values held as float32 (0..255), C = 1 or 3, drawing from `draws`. */
  augmentImage(img: Tensor, draws: Draws): Tensor;
}

/** The op's magnitude at `bin`, negated when `negate` and the op is signed; 0 for ops without one. */
function magnitudeOf(entry: AugmentSpaceOp, bin: number, negate: () => boolean): number {
  const m = entry.magnitudes === null ? 0 : entry.magnitudes[bin]!;
  return entry.signed && negate() ? -m : m;
}

const interpolationOf = (v: unknown): AugmentInterpolation =>
  checkOneOf('interpolation', v ?? 'nearest', ['nearest', 'bilinear'] as const);

/** A space per image size, made once (images of a batch share their size). */
function bySize(make: (size: [number, number]) => AugmentSpaceOp[]): (img: Tensor) => AugmentSpaceOp[] {
  const made = new Map<string, AugmentSpaceOp[]>();
  return (img) => {
    const size: [number, number] = [img.shape[1]!, img.shape[2]!];
    let space = made.get(size.join('x'));
    if (space === undefined) made.set(size.join('x'), (space = make(size)));
    return space;
  };
}

function batchOf(description: string, augmentImage: ImageAugmentation['augmentImage']): ImageAugmentation {
  return {
    description,
    augmentImage,
    apply(x, rng) {
      const [n, c] = x.shape as [number, number];
      if (x.ndim !== 4 || (c !== 1 && c !== 3))
        throw new ArgumentError(
          `Expected (N, C, H, W) images with 1 or 3 channels for ${description} but received shape [${x.shape.join(', ')}]`,
        );
      const pixels = x.mul(255).round();
      const out = Array.from({ length: n }, (_, i) => tidy(() => augmentImage(pixels.select(0, i), rng)));
      return stack(out).div(255);
    },
  };
}

/**
 * torchvision's `TrivialAugmentWide(num_magnitude_bins=31)`: per image one op drawn uniformly
 * from 14, at a magnitude bin drawn uniformly, with a random sign for signed ops.
 */
export function trivialAugmentWide(
  options: { numMagnitudeBins?: number; interpolation?: AugmentInterpolation } = {},
): ImageAugmentation {
  const numBins = checkInt('numMagnitudeBins', options.numMagnitudeBins ?? 31, 2);
  const mode = interpolationOf(options.interpolation);
  const space = trivialAugmentWideSpace(numBins);
  return batchOf(`TrivialAugmentWide(num_magnitude_bins=${numBins}, interpolation=${mode})`, (img, draws) => {
    const entry = space[draws.int(space.length)]!;
    const bin = entry.magnitudes === null ? 0 : draws.int(entry.magnitudes.length);
    return applyAugmentOp(
      img,
      entry.op,
      magnitudeOf(entry, bin, () => draws.int(2) === 1),
      mode,
    );
  });
}

/** Options of {@link randAugment} (torchvision's `RandAugment` keywords). */
export interface RandAugmentOptions {
  /** Ops applied in sequence per image (default 2). */
  numOps?: number;
  /** The magnitude bin of every op (default 9; torchvision's `--ra-magnitude`). */
  magnitude?: number;
  /** Bins of the magnitude range (default 31). */
  numMagnitudeBins?: number;
  /** How the geometric ops resample (default 'nearest', torchvision's default). */
  interpolation?: AugmentInterpolation;
}

/** torchvision's `RandAugment`: per image `numOps` ops drawn uniformly from 14, all at bin `magnitude`, each with a random sign. */
export function randAugment(options: RandAugmentOptions = {}): ImageAugmentation {
  const numOps = checkInt('numOps', options.numOps ?? 2, 0);
  const numBins = checkInt('numMagnitudeBins', options.numMagnitudeBins ?? 31, 2);
  const magnitude = checkInt('magnitude', options.magnitude ?? 9, 0);
  if (magnitude >= numBins)
    throw new ArgumentError(
      `Expected a magnitude bin below numMagnitudeBins (${numBins}) but received ${magnitude}`,
    );
  const mode = interpolationOf(options.interpolation);
  const description = `RandAugment(num_ops=${numOps}, magnitude=${magnitude}, num_magnitude_bins=${numBins}, interpolation=${mode})`;
  const spaceOf = bySize((size) => randAugmentSpace(numBins, size));
  return batchOf(description, (img, draws) => {
    const space = spaceOf(img);
    let out = img;
    for (let k = 0; k < numOps; k++) {
      const entry = space[draws.int(space.length)]!;
      out = applyAugmentOp(
        out,
        entry.op,
        magnitudeOf(entry, magnitude, () => draws.int(2) === 1),
      );
    }
    return out;
  });
}

/**
 * torchvision's `AutoAugment(policy)` (default 'imagenet'): per image one of the policy's
 * sub-policies drawn uniformly; each of its two steps runs with its probability, at its bin of
 * a 10-bin space, negated when its sign draw is 0.
 */
export function autoAugment(
  policy: AutoAugmentPolicy = 'imagenet',
  options: { interpolation?: AugmentInterpolation } = {},
): ImageAugmentation {
  const name = checkOneOf('policy', policy, Object.keys(autoAugmentPolicies) as AutoAugmentPolicy[]);
  const mode = interpolationOf(options.interpolation);
  const subPolicies = autoAugmentPolicies[name];
  const spaceOf = bySize((size) => autoAugmentSpace(10, size));
  return batchOf(`AutoAugment(policy=${name}, interpolation=${mode})`, (img, draws) => {
    const space = spaceOf(img);
    // torchvision draws the sub-policy, both probabilities and both signs up front
    const steps = subPolicies[draws.int(subPolicies.length)]!;
    const probs = [draws.next(), draws.next()];
    const signs = [draws.int(2), draws.int(2)];
    let out = img;
    steps.forEach(([op, p, bin], i) => {
      if (probs[i]! > p) return;
      const entry = space.find((e) => e.op === op)!;
      out = applyAugmentOp(
        out,
        op,
        magnitudeOf(entry, bin ?? 0, () => signs[i] === 0),
      );
    });
    return out;
  });
}
