/**
 * Seeded generators of wrong values, one per kind of argument. Each draws from an unbounded
 * space (random numbers, strings, lengths, nestings), so the random phase makes calls never
 * made before; each yields only values its kind of argument must refuse.
 */
export class Rand {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  /** One of the generators, called. */
  one<T>(...gens: ((r: Rand) => T)[]): T {
    return this.pick(gens)(this);
  }
  str(): string {
    const chars = 'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 _-.:[]{}"\'\\/é😀';
    return Array.from({ length: this.int(0, 10) }, () => this.pick([...chars])).join('');
  }
  /** A random non-integer float of any magnitude and sign. */
  fraction(): number {
    return (
      (this.next() < 0.5 ? -1 : 1) * (this.int(0, 1e6) + 0.5 * (this.next() + 0.01)) * 10 ** this.int(-3, 0)
    );
  }
}

export type Gen = (r: Rand) => unknown;

const object: Gen = (r) => Object.fromEntries(Array.from({ length: r.int(0, 3) }, () => [r.str(), r.str()]));
const bigint: Gen = (r) => BigInt(r.int(-1e6, 1e6));
const symbol: Gen = (r) => Symbol(r.str());
const fn: Gen = (r) => {
  const v = r.int(0, 9);
  return () => v;
};
const typed: Gen = (r) => new Float32Array(r.int(0, 8));
const numericString: Gen = (r) => String(r.int(-100, 100));
/** Values that are neither numbers, booleans, arrays nor tensors. */
const other: Gen = (r) => r.one(object, bigint, symbol, fn, typed, numericString, (q) => q.str());

/** Anything but a Tensor (a plain object shaped like one included). */
export const notTensor: Gen = (r) =>
  r.one(
    other,
    (q) => q.fraction(),
    (q) => q.next() < 0.5,
    (q) => Array.from({ length: q.int(0, 5) }, () => q.fraction()),
    (q) => ({ shape: Array.from({ length: q.int(0, 4) }, () => q.int(1, 9)), dtype: 'float32' }),
  );
/** Neither a Tensor nor a number (what ops taking either must refuse). */
export const notOperand: Gen = (r) =>
  r.one(
    other,
    (q) => q.next() < 0.5,
    (q) => [q.fraction()],
    () => null,
    () => undefined,
  );
/** Neither a Tensor, a number nor a boolean (what where's branches must refuse). */
export const notBranch: Gen = (r) =>
  r.one(
    other,
    (q) => [q.fraction()],
    () => null,
    () => undefined,
  );
export const required: Gen = (r) =>
  r.one(
    notTensor,
    () => undefined,
    () => null,
  );

/** A scalar that is not a safe integer >= min. */
export const badInt =
  (min: number): Gen =>
  (r) =>
    r.one(
      other,
      (q) => q.fraction(),
      (q) => min - q.int(1, 1e6),
      (q) => q.pick([NaN, Infinity, -Infinity, 2 ** 53 + q.int(1, 1e6)]),
      (q) => q.next() < 0.5,
      (q) => [q.int(min, min + 9)], // a list, where only a number is taken
    );
/** Not an integer >= min nor a list of two: wrong lengths, wrong elements, wrong types. */
export const badPair =
  (min: number): Gen =>
  (r) =>
    r.one(
      (q) =>
        q.one(
          other,
          (p) => p.fraction(),
          (p) => min - p.int(1, 1e6),
          () => NaN,
        ),
      (q) => Array.from({ length: q.pick([0, 1, 3, 4, 5]) }, () => q.int(min, min + 9)),
      (q) => {
        const pair: unknown[] = [q.int(min, min + 9), q.int(min, min + 9)];
        pair[q.int(0, 1)] = q.one(badInt(min), other);
        return pair;
      },
    );
export const badBool: Gen = (r) =>
  r.one(
    other,
    (q) => q.fraction(),
    (q) => q.int(-9, 9),
    () => null,
    (q) => [q.next() < 0.5],
  );
export const badFinite: Gen = (r) =>
  r.one(
    other,
    (q) => q.pick([NaN, Infinity, -Infinity]),
    (q) => q.next() < 0.5,
    (q) => [q.fraction()],
    () => null,
  );
/** Not an integer nor a list of integers (a list with a non-integer in it). */
export const badDims: Gen = (r) =>
  r.one(
    other,
    (q) => q.fraction(),
    (q) => q.pick([NaN, Infinity, -Infinity]),
    (q) => q.next() < 0.5,
    (q) => [q.int(0, 1), q.one(other, (p) => p.fraction())],
  );
/** A string (or other value) that is none of `options`. */
export const badChoice =
  (options: readonly string[]): Gen =>
  (r) =>
    r.one(
      other,
      (q) => q.fraction(),
      (q) => `${q.pick(options)}${q.str()}x`,
      (q) => q.str().toUpperCase() + 'Q',
    );
/** Not a list of integers >= min: negative, fractional or non-number elements, or no list. */
export const badShape =
  (min: number): Gen =>
  (r) =>
    r.one(
      (q) => q.one(object, symbol, (p) => p.str()),
      (q) => {
        const shape: unknown[] = Array.from({ length: q.int(1, 4) }, () => q.int(1, 4));
        shape[q.int(0, shape.length - 1)] = q.one(
          (p) => p.fraction(),
          (p) => min - p.int(1, 99),
          other,
          () => NaN,
        );
        return shape;
      },
    );
/** A shape (1 to 4 dims of 1..9) whose element count is not `n`. */
export const shapeNotOf =
  (n: number): Gen =>
  (r) => {
    for (;;) {
      const shape = Array.from({ length: r.int(1, 4) }, () => r.int(1, 9));
      if (shape.reduce((a, b) => a * b, 1) !== n) return shape;
    }
  };
/** An integer outside [-ndim, ndim - 1]. */
export const dimOutside =
  (ndim: number): Gen =>
  (r) =>
    r.next() < 0.5 ? ndim + r.int(0, 1e4) : -ndim - r.int(1, 1e4);
/** Not an even-length list of integers: odd lengths, a non-integer element, or no list. */
export const badPads: Gen = (r) =>
  r.one(
    (q) =>
      q.one(
        object,
        symbol,
        (p) => p.str(),
        (p) => p.fraction(),
      ),
    (q) => Array.from({ length: 2 * q.int(0, 3) + 1 }, () => q.int(0, 3)),
    (q) => {
      const pads: unknown[] = Array.from({ length: 2 * q.int(1, 3) }, () => q.int(0, 3));
      pads[q.int(0, pads.length - 1)] = q.one(
        (p) => p.fraction(),
        other,
        () => NaN,
      );
      return pads;
    },
  );
/** Not an options object (nor undefined). */
export const notAnObject: Gen = (r) =>
  r.one(
    (q) => q.str(),
    (q) => q.fraction(),
    symbol,
    bigint,
    () => null,
    (q) => [q.str()],
    (q) => q.next() < 0.5,
  );
