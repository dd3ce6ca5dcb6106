/**
 * Values as Python's repr writes them, so that `toString()` prints what PyTorch prints for the
 * same module (`print(torchvision.models.resnet18())`, checked in test/nn/module.test.ts).
 */

/** A bool: True / False. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** A float: the shortest round-trip digits, with Python's switch to exponent form below 1e-4 (1e-05) and from 1e16, and a '.0' on whole numbers. */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [digits, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A tuple of ints: (3, 3). */
export const pyTuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** A pooling size as PyTorch keeps what torchvision passes: one int when both sides agree. */
export const pyPoolPair = (v: readonly number[]): string =>
  v.every((x) => x === v[0]) ? String(v[0]) : pyTuple(v);
