/**
 * `data.transforms`: batch transforms, applied to whole (N, C, H, W) batches at once.
 *
 * @module
 */
export type { Transform } from './transform.js';
export { compose } from './transform.js';
export { toFloat, normalize, centerCrop, resize } from './basic.js';
export { randomHorizontalFlip, randomCrop, randomResizedCrop } from './random.js';
export { randomErasing } from './random_erasing.js';
export type { RandomErasingOptions } from './random_erasing.js';

/** ImageNet's channel statistics, as torchvision's presets use them. */
export const imagenetMean = [0.485, 0.456, 0.406] as const;
/** ImageNet's per-channel standard deviations (RGB), to pass to `normalize` with `imagenetMean`. */
export const imagenetStd = [0.229, 0.224, 0.225] as const;
export { trivialAugmentWide, randAugment, autoAugment } from './auto_augment.js';
export type { Draws, ImageAugmentation, RandAugmentOptions } from './auto_augment.js';
export { applyAugmentOp, augmentOpNames } from './augment_ops.js';
export { geometricOpMatrix, inverseAffineMatrix } from './augment_affine.js';
export type { GeometricOpName } from './augment_affine.js';
export type { AugmentOpName, AugmentInterpolation } from './augment_ops.js';
export { trivialAugmentWideSpace, randAugmentSpace, autoAugmentSpace } from './augment_spaces.js';
export type { AugmentSpaceOp } from './augment_spaces.js';
export { autoAugmentPolicies } from './augment_policies.js';
export type { AutoAugmentPolicy, PolicyStep } from './augment_policies.js';
export { mixup, cutmix, randomChoiceMix, mixupWith, cutmixWith } from './mix.js';
export type { BatchMix, MixOptions, CutmixResult } from './mix.js';
export { sampleBeta, sampleGamma } from './beta.js';
