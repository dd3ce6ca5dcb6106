/**
 * The AutoAugment op set by torchvision's names, and `applyAugmentOp`, the counterpart of
 * `torchvision.transforms.autoaugment._apply_op` (fill None).
 */
import { ArgumentError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
export type { AugmentInterpolation } from './augment_affine.js';
import { geometricOp, type AugmentInterpolation } from './augment_affine.js';
import {
  autocontrast,
  brightness,
  color,
  contrast,
  equalize,
  invert,
  posterize,
  sharpness,
  solarize,
} from './augment_color.js';

/** The ops of torchvision's AutoAugment, RandAugment and TrivialAugmentWide, by torchvision's names. */
export type AugmentOpName =
  | 'Identity' | 'ShearX' | 'ShearY' | 'TranslateX' | 'TranslateY' | 'Rotate' | 'Brightness' | 'Color'
  | 'Contrast' | 'Sharpness' | 'Posterize' | 'Solarize' | 'AutoContrast' | 'Equalize' | 'Invert'; // prettier-ignore

/** Each op on one image at a (signed) magnitude; the enhance ops take 1 + magnitude, as `_apply_op` passes it. */
const ops: Record<AugmentOpName, (img: Tensor, magnitude: number, mode: AugmentInterpolation) => Tensor> = {
  Identity: (img) => img,
  ShearX: (img, m, mode) => geometricOp('ShearX', img, m, mode),
  ShearY: (img, m, mode) => geometricOp('ShearY', img, m, mode),
  TranslateX: (img, m, mode) => geometricOp('TranslateX', img, m, mode),
  TranslateY: (img, m, mode) => geometricOp('TranslateY', img, m, mode),
  Rotate: (img, m, mode) => geometricOp('Rotate', img, m, mode),
  Brightness: (img, m) => brightness(img, 1 + m),
  Color: (img, m) => color(img, 1 + m),
  Contrast: (img, m) => contrast(img, 1 + m),
  Sharpness: (img, m) => sharpness(img, 1 + m),
  Posterize: (img, m) => posterize(img, Math.trunc(m)),
  Solarize: solarize,
  AutoContrast: autocontrast,
  Equalize: equalize,
  Invert: invert,
};

/** The names `applyAugmentOp` knows. */
export const augmentOpNames = Object.keys(ops) as AugmentOpName[];

/**
 * Applies the AutoAugment op `name` at `magnitude` to one (C, H, W) image (C = 1 or 3) of
 * float32 8-bit integer values (0..255), with torchvision's uint8 arithmetic; returns a new image.
 * `interpolation` is how the geometric ops resample (default 'nearest', torchvision's default).
 */
export function applyAugmentOp(
  img: Tensor,
  name: AugmentOpName,
  magnitude: number,
  interpolation: AugmentInterpolation = 'nearest',
): Tensor {
  const op = ops[name];
  if (op === undefined)
    throw new ArgumentError(
      `Expected one of ${augmentOpNames.join(', ')} for the op but received ${String(name)}`,
    );
  const c = img.shape[0];
  if (img.ndim !== 3 || (c !== 1 && c !== 3))
    throw new ArgumentError(
      `Expected a (C, H, W) image with 1 or 3 channels but received shape [${img.shape.join(', ')}]`,
    );
  if (interpolation !== 'nearest' && interpolation !== 'bilinear')
    throw new ArgumentError(
      `Expected 'nearest' or 'bilinear' for interpolation but received ${String(interpolation)}`,
    );
  return op(img, magnitude, interpolation);
}
