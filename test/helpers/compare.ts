/**
 * Numeric comparison against reference tensors, with the tolerances of test/tolerances.json.
 *
 * The measure is the relative error of the whole tensor, ||a - e||_2 / max(||e||_2, tiny), so a
 * float32 result is judged against a float64 reference by its rounding error, not by the size of
 * one element. Integer tensors (indices) must match exactly.
 */
import { readFileSync } from 'node:fs';

import type { Tensor } from '../../lib/index.js';

export type ToleranceKind = 'float64' | 'float32';
export const TOLERANCES = JSON.parse(
  readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8'),
) as Readonly<Record<ToleranceKind, { rel: number }>>;

const TINY = 1e-300;

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

function toNumbers(data: Numeric): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** ||actual - expected||_2 / max(||expected||_2, tiny); NaN anywhere gives NaN. */
export function relError(actual: Numeric, expected: Numeric): number {
  if (actual.length !== expected.length)
    throw new Error(`relError: ${actual.length} vs ${expected.length} elements`);
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - e[i]!;
    diff += d * d;
    norm += e[i]! * e[i]!;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), TINY);
}

function unravel(index: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = index % shape[d]!;
    index = Math.floor(index / shape[d]!);
  }
  return at;
}

/** Largest |a - e| (NaN counts as infinite) and where it is. */
export function maxAbsDiff(a: Float64Array, e: Float64Array): { diff: number; index: number } {
  let diff = 0;
  let index = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number.isNaN(a[i]!) !== Number.isNaN(e[i]!) ? Infinity : Math.abs(a[i]! - e[i]!);
    if (d > diff || (i === 0 && Number.isNaN(d))) {
      diff = d;
      index = i;
    }
  }
  return { diff, index };
}

/**
 * Throws a readable error unless `actual` matches `expected` in shape and, for floating dtypes,
 * within the relative tolerance of `kind` (integers: exactly). Returns the relative error.
 */
export function expectClose(actual: Tensor, expected: Tensor, kind: ToleranceKind, label = 'tensor'): number {
  const shapeA = [...actual.shape];
  const shapeE = [...expected.shape];
  if (shapeA.join(',') !== shapeE.join(',')) {
    throw new Error(`${label}: shape [${shapeA.join(', ')}] but the reference has [${shapeE.join(', ')}]`);
  }
  const a = toNumbers(actual.dataSync() as Numeric);
  const e = toNumbers(expected.dataSync() as Numeric);
  const exact = expected.dtype.startsWith('int') || expected.dtype === 'bool';
  const err = relError(a, e);
  const rel = exact ? 0 : TOLERANCES[kind].rel;
  if (err <= rel) return err;
  const { diff, index } = maxAbsDiff(a, e);
  const at = unravel(index, shapeE);
  throw new Error(
    `${label} (${actual.dtype} vs ${expected.dtype} reference, shape [${shapeE.join(', ')}]): ` +
      `relative error ${err.toExponential(3)} > ${exact ? '0 (exact)' : `${rel} (${kind})`}; ` +
      `max abs diff ${diff.toExponential(3)} at [${at.join(', ')}]: actual ${a[index]}, expected ${e[index]}`,
  );
}
