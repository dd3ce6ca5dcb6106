/**
 * The one comparison of library results with reference tensors, with the tolerances of
 * test/tolerances.json.
 *
 * Every element must satisfy |a - e| <= atol + rtol * |e|, so one wrong small element cannot
 * hide in the norm of the rest, and the dtype must be the reference's own: a float32 run is
 * judged against PyTorch's float32 run, so a float32 case that returns float64 fails, as do
 * float-typed indices where PyTorch returns int64. Integer and bool tensors must match exactly.
 */
import { readFileSync } from 'node:fs';

import type { Tensor } from '../../lib/index.js';

/** One check's bound: |a - e| <= atol + rtol * |e| per element. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

export const TOLERANCES = JSON.parse(
  readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8'),
) as {
  float64: Tolerance;
  float32: Tolerance;
  fingerprintSum: Tolerance;
  schedule: Tolerance;
  'cuda:float32': Tolerance;
  'cuda:float64': Tolerance;
  bfloat16Autocast: Tolerance;
  fastPath: Tolerance;
  'ddp:float32': Tolerance;
};

/**
 * The tolerance of a run in `dtype` on `device` (default the CPU) against PyTorch's CPU run in
 * the same dtype.
 */
export const toleranceFor = (dtype: 'float32' | 'float64', device = 'cpu'): Tolerance =>
  device === 'cpu' ? TOLERANCES[dtype] : TOLERANCES[`cuda:${dtype}`];

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

function toNumbers(data: Numeric): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** ||actual - expected||_2 / max(||expected||_2, tiny) (for sums and fingerprints, not tensors). */
export function relError(actual: Numeric, expected: Numeric): number {
  if (actual.length !== expected.length)
    throw new Error(`relError: ${actual.length} vs ${expected.length} elements`);
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - e[i]!) ** 2;
    norm += e[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
}

/** How far a result is from its reference, element by element. */
export interface Deviation {
  /** Largest |a - e|. */
  maxAbs: number;
  /** Largest |a - e| / |e| over elements with e != 0 (Infinity where e == 0 and a != e). */
  maxRel: number;
  /** Elements that are not bit-equal. */
  differing: number;
  /** Largest (|a - e|) / (atol + rtol |e|): at most 1 passes. */
  ratio: number;
  /** Where `ratio` is largest. */
  index: number;
}

/** Deviation of `a` from `e` under `tol`; NaN anywhere (even in both) makes the ratio infinite. */
export function deviation(a: Float64Array, e: Float64Array, tol: Tolerance): Deviation {
  const d: Deviation = { maxAbs: 0, maxRel: 0, differing: 0, ratio: 0, index: 0 };
  for (let i = 0; i < e.length; i++) {
    const ai = a[i]!;
    const ei = e[i]!;
    if (ai === ei) continue; // bit-equal up to the sign of zero; infinities of the same sign
    const diff = Math.abs(ai - ei);
    const bound = tol.atol + tol.rtol * Math.abs(ei);
    const ratio = Number.isNaN(diff) ? Infinity : bound === 0 ? Infinity : diff / bound;
    d.differing++;
    if (!Number.isNaN(diff)) d.maxAbs = Math.max(d.maxAbs, diff);
    d.maxRel = Math.max(d.maxRel, ei === 0 || Number.isNaN(diff) ? Infinity : diff / Math.abs(ei));
    if (ratio > d.ratio || d.differing === 1) {
      d.ratio = ratio;
      d.index = i;
    }
  }
  return d;
}

function unravel(index: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length).fill(0);
  for (let dim = shape.length - 1; dim >= 0; dim--) {
    at[dim] = index % shape[dim]!;
    index = Math.floor(index / shape[dim]!);
  }
  return at;
}

/** Worst deviations seen per suite label, for `report`. */
const worst = new Map<string, Omit<Deviation, 'index'> & { checks: number }>();

/**
 * Throws a readable error unless `actual` has the dtype and shape of `expected` and every element
 * within `tol` (integers and bool: exactly). Records the deviation under `suite` for `report`.
 */
export function expectClose(
  actual: Tensor,
  expected: Tensor,
  tol: Tolerance,
  label: string,
  suite = 'default',
): Deviation {
  if (actual.dtype !== expected.dtype) {
    throw new Error(
      `${label}: dtype ${actual.dtype} but the reference (PyTorch's own run) is ${expected.dtype}`,
    );
  }
  const shapeA = [...actual.shape];
  const shapeE = [...expected.shape];
  if (shapeA.join(',') !== shapeE.join(',')) {
    throw new Error(`${label}: shape [${shapeA.join(', ')}] but the reference has [${shapeE.join(', ')}]`);
  }
  const exact = !expected.dtype.startsWith('float') && !expected.dtype.startsWith('bfloat');
  const bound = exact ? { rtol: 0, atol: 0 } : tol;
  const a = toNumbers(actual.dataSync() as Numeric);
  const e = toNumbers(expected.dataSync() as Numeric);
  const d = deviation(a, e, bound);
  const w = worst.get(suite) ?? { maxAbs: 0, maxRel: 0, differing: 0, ratio: 0, checks: 0 };
  worst.set(suite, {
    maxAbs: Math.max(w.maxAbs, d.maxAbs),
    maxRel: Math.max(w.maxRel, d.maxRel),
    differing: w.differing + d.differing,
    ratio: Math.max(w.ratio, d.ratio),
    checks: w.checks + 1,
  });
  if (d.ratio <= 1) return d;
  const at = unravel(d.index, shapeE);
  throw new Error(
    `${label} (${actual.dtype}, shape [${shapeE.join(', ')}]): ${d.differing} of ${e.length} elements differ; ` +
      `at [${at.join(', ')}] actual ${a[d.index]}, expected ${e[d.index]}: |a - e| = ` +
      `${Math.abs(a[d.index]! - e[d.index]!).toExponential(3)} > ` +
      `${exact ? '0 (exact)' : `atol ${bound.atol} + rtol ${bound.rtol} * |e|`}`,
  );
}

/** Prints the worst deviation per suite label recorded since the last report, then forgets them. */
export function report(title: string): void {
  const rows = [...worst].map(
    ([k, w]) =>
      `  ${k.padEnd(36)} ${String(w.checks).padStart(5)} ${w.maxAbs.toExponential(2).padStart(10)} ` +
      `${w.maxRel.toExponential(2).padStart(10)} ${String(w.differing).padStart(9)} ${w.ratio.toExponential(2).padStart(10)}`,
  );
  const head = `  ${'suite'.padEnd(36)} ${'n'.padStart(5)} ${'max|a-e|'.padStart(10)} ${'max rel'.padStart(10)} ${'differing'.padStart(9)} ${'/bound'.padStart(10)}`;
  console.log(`[reference] worst deviations, ${title}\n${head}\n${rows.join('\n')}`);
  worst.clear();
}
