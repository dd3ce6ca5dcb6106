/**
 * The magnitude spaces of torchvision 0.14's TrivialAugmentWide, RandAugment and AutoAugment
 * (`_augmentation_space`): each op with its magnitude bins (float32 values, as `_apply_op`
 * receives them) and whether a random sign applies. Computed with the same tensor ops.
 */
import { arange, linspace } from '../../creation.js';
import { tidy } from '../../runtime.js';
import type { AugmentOpName } from './augment_ops.js';

/** One op of a space: its magnitude bins (null: the op takes none) and whether it is signed. */
export interface AugmentSpaceOp {
  /** torchvision's op name. */
  readonly op: AugmentOpName;
  /** The magnitude of each bin, or null for ops without one. */
  readonly magnitudes: readonly number[] | null;
  /** Whether the magnitude's sign is drawn (negated with probability 1/2). */
  readonly signed: boolean;
}

const bins = (start: number, end: number, n: number): number[] =>
  tidy(() => Array.from(linspace(start, end, n).dataSync() as Float32Array));

/** `8 - (arange(n) / ((n - 1) / levels)).round().int()`: posterize bits from 8 down to 8 − levels. */
const posterizeBits = (n: number, levels: number): number[] =>
  tidy(() => Array.from(arange(0, n, 1, { dtype: 'int64' }).div((n - 1) / levels).round().dataSync() as Float32Array, (v) => 8 - v)); // prettier-ignore

type Row = [AugmentOpName, number[] | null, boolean];
const space = (rows: Row[]): AugmentSpaceOp[] =>
  rows.map(([op, magnitudes, signed]) => ({ op, magnitudes, signed }));

/** RandAugment's and AutoAugment's shared ops for an image of `[h, w]` (translations scale with the size). */
function classicRows(n: number, [h, w]: readonly [number, number]): Row[] {
  return [
    ['ShearX', bins(0, 0.3, n), true],
    ['ShearY', bins(0, 0.3, n), true],
    ['TranslateX', bins(0, (150 / 331) * w, n), true],
    ['TranslateY', bins(0, (150 / 331) * h, n), true],
    ['Rotate', bins(0, 30, n), true],
    ['Brightness', bins(0, 0.9, n), true],
    ['Color', bins(0, 0.9, n), true],
    ['Contrast', bins(0, 0.9, n), true],
    ['Sharpness', bins(0, 0.9, n), true],
    ['Posterize', posterizeBits(n, 4), false],
    ['Solarize', bins(255, 0, n), false],
    ['AutoContrast', null, false],
    ['Equalize', null, false],
  ];
}

/** `TrivialAugmentWide._augmentation_space(numBins)`. */
export function trivialAugmentWideSpace(numBins: number): AugmentSpaceOp[] {
  const n = numBins;
  return space([
    ['Identity', null, false],
    ['ShearX', bins(0, 0.99, n), true],
    ['ShearY', bins(0, 0.99, n), true],
    ['TranslateX', bins(0, 32, n), true],
    ['TranslateY', bins(0, 32, n), true],
    ['Rotate', bins(0, 135, n), true],
    ['Brightness', bins(0, 0.99, n), true],
    ['Color', bins(0, 0.99, n), true],
    ['Contrast', bins(0, 0.99, n), true],
    ['Sharpness', bins(0, 0.99, n), true],
    ['Posterize', posterizeBits(n, 6), false],
    ['Solarize', bins(255, 0, n), false],
    ['AutoContrast', null, false],
    ['Equalize', null, false],
  ]);
}

/** `RandAugment._augmentation_space(numBins, [h, w])`. */
export function randAugmentSpace(numBins: number, size: readonly [number, number]): AugmentSpaceOp[] {
  return space([['Identity', null, false], ...classicRows(numBins, size)]);
}

/** `AutoAugment._augmentation_space(numBins, [h, w])` (10 bins in torchvision's use). */
export function autoAugmentSpace(numBins: number, size: readonly [number, number]): AugmentSpaceOp[] {
  return space([...classicRows(numBins, size), ['Invert', null, false]]);
}
