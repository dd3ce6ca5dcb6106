/**
 * The format-neutral tensor that every weight-file reader produces and every writer consumes:
 * a dtype, a shape and the element bytes, little-endian and C-contiguous. It knows nothing of
 * libtorch, so the file formats can be parsed and tested without the native addon.
 */

import type { DType } from '../dtype.js';

export type { DType };

export interface RawTensor {
  dtype: DType;
  shape: number[];
  /**
   * numel(shape) * DTYPE_SIZE[dtype] bytes. Readers may hand out views into a larger buffer
   * (tensors that shared one storage in a checkpoint may alias each other): treat as read-only.
   */
  bytes: Uint8Array;
}

/** Bytes per element. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = Object.freeze({
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
});

export const DTYPES: readonly DType[] = Object.freeze(Object.keys(DTYPE_SIZE) as DType[]);

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, value);
}

/**
 * Number of elements of `shape`, or null when a dimension is not a non-negative safe integer or
 * the product is not a safe integer (a file could claim [2**40, 2**40]; callers turn null into
 * a FormatError rather than computing with rounded numbers).
 */
export function numelOf(shape: readonly unknown[]): number | null {
  let n = 1;
  let zero = false;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
    if (d === 0) zero = true;
    else if (n <= Number.MAX_SAFE_INTEGER) n *= d; // stays finite: n < 2**53 and d < 2**53
  }
  if (zero) return 0;
  return Number.isSafeInteger(n) ? n : null;
}
