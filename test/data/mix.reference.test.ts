/**
 * Mixup and CutMix against torchvision's reference script (RandomMixup / RandomCutmix of
 * references/classification/transforms.py, run by scripts/gen_augment_reference.py with λ and
 * the box center given), the draws behind `apply`, the Beta sampler's moments, and the
 * soft-target loss's argument checks (its values: test/ops.reference.test.ts, cross_entropy).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, data, nn, randn, tensor, tidy } from '../../lib/index.js';
import { loadReference, type Json } from '../helpers/reference.js';

const T = data.transforms;
const ref = await loadReference('augment');
const TOLS = JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Json;
const floats = (t: { dataSync(): unknown }): number[] => Array.from(t.dataSync() as Float32Array);

interface MixCase { name: string; kind: 'mixup' | 'cutmix'; numClasses: number; lambda: number; rx?: number; ry?: number; correctedLambda?: number; box?: number[] } // prettier-ignore

describe('mixup and cutmix at fixed λ and box against the reference script', () => {
  for (const c of ref.meta.mix as MixCase[]) {
    it(`${c.name}: ${c.kind}, λ = ${c.lambda.toFixed(4)}`, () => {
      tidy(() => {
        const input = ref.tensor(`${c.name}.batch`);
        const target = ref.tensor(`${c.name}.target`);
        const got =
          c.kind === 'mixup'
            ? T.mixupWith(input, target, c.numClasses, c.lambda)
            : T.cutmixWith(input, target, c.numClasses, c.lambda, [c.rx!, c.ry!]);
        if (c.kind === 'cutmix') {
          const cut = got as data.transforms.CutmixResult;
          expect(cut.box).toEqual(c.box);
          expect(cut.lambda).toBe(c.correctedLambda);
        }
        // the same float32 ops as PyTorch's: exact (tolerances.json float32)
        const tol = TOLS['float32'] as { atol: number };
        const diff = (a: number[], b: number[]) => Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)));
        expect(got.input.shape).toEqual(input.shape);
        expect(got.target.shape).toEqual([input.shape[0], c.numClasses]);
        expect(diff(floats(got.input), floats(ref.tensor(`${c.name}.out`)))).toBeLessThanOrEqual(tol.atol);
        expect(diff(floats(got.target), floats(ref.tensor(`${c.name}.soft`)))).toBeLessThanOrEqual(tol.atol);
      });
    });
  }
});

/** Draws that record what they hand out, from a seeded generator. */
function recording(seed: number): { draws: data.transforms.Draws; log: number[] } {
  const rng = new data.Rng(seed);
  const log: number[] = [];
  return {
    log,
    draws: {
      next: () => {
        const v = rng.next();
        log.push(v);
        return v;
      },
      int: (n) => {
        const v = rng.int(n);
        log.push(v);
        return v;
      },
    },
  };
}

describe('mixup and cutmix draws', () => {
  const input = randn([6, 3, 11, 13]);
  const target = tensor([0, 3, 1, 2, 3, 0], { dtype: 'int64' });
  it('mixup(p=1) is mixupWith at λ drawn from Beta(α, α) after the p draw, as RandomMixup draws them', () => {
    const { draws } = recording(7);
    const got = T.mixup({ numClasses: 4, p: 1, alpha: 0.2 }).apply(input, target, draws);
    const again = new data.Rng(7);
    again.next(); // the p draw
    const want = T.mixupWith(input, target, 4, T.sampleBeta(0.2, again));
    expect(floats(got.input)).toEqual(floats(want.input));
    expect(floats(got.target)).toEqual(floats(want.target));
  });
  it('cutmix(p=1) draws λ, then the center x in [0, W) and y in [0, H)', () => {
    const { draws } = recording(8);
    const got = T.cutmix({ numClasses: 4, p: 1, alpha: 1 }).apply(input, target, draws);
    const again = new data.Rng(8);
    again.next();
    const lambda = T.sampleBeta(1, again);
    const center: [number, number] = [again.int(13), again.int(11)];
    const want = T.cutmixWith(input, target, 4, lambda, center);
    expect(floats(got.input)).toEqual(floats(want.input));
    expect(floats(got.target)).toEqual(floats(want.target));
    expect(floats(got.target.sum(1))).toEqual(Array(6).fill(1));
  });
  it('p = 0 leaves the batch as it is, with one-hot targets', () => {
    const got = T.mixup({ numClasses: 4, p: 0 }).apply(input, target, new data.Rng(1));
    expect(floats(got.input)).toEqual(floats(input));
    expect(Array.from(got.target.argmax(1).dataSync() as BigInt64Array, Number)).toEqual([0, 3, 1, 2, 3, 0]);
  });
  it('randomChoiceMix picks each of mixup and cutmix about half the time, reproducibly per seed', () => {
    const mixes = [T.mixup({ numClasses: 4, p: 1 }), T.cutmix({ numClasses: 4, p: 1 })];
    const choice = T.randomChoiceMix(mixes);
    const picks = (seed: number) =>
      Array.from({ length: 400 }, (_, i) => {
        const { draws, log } = recording(seed * 1000 + i);
        tidy(() => choice.apply(input, target, draws));
        return log[0]!;
      });
    const a = picks(3);
    expect(picks(3)).toEqual(a);
    const cutmixShare = a.filter((k) => k === 1).length / a.length;
    const z = (TOLS['samplingZ'] as { z: number }).z;
    expect(Math.abs(cutmixShare - 0.5)).toBeLessThan(z * Math.sqrt(0.25 / a.length));
  });
  it('Beta(α, α) samples have mean 1/2 and variance 1/(4(2α + 1))', () => {
    const z = (TOLS['samplingZ'] as { z: number }).z;
    for (const alpha of [0.2, 1, 3]) {
      const rng = new data.Rng(11);
      const n = 20000;
      const xs = Array.from({ length: n }, () => T.sampleBeta(alpha, rng));
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
      const v = 1 / (4 * (2 * alpha + 1));
      expect(Math.abs(mean - 0.5), `α = ${alpha}: mean ${mean}`).toBeLessThan(z * Math.sqrt(v / n));
      // the variance of a sample variance is below E[(x − ½)⁴] / n ≤ v / (4n) for values in [0, 1]
      expect(Math.abs(variance - v), `α = ${alpha}: variance ${variance}`).toBeLessThan(
        z * Math.sqrt(v / (4 * n)),
      );
    }
  });
  it('refuses bad options and targets with clear errors', () => {
    expect(() => T.mixup({ numClasses: 4, alpha: 0 })).toThrow(/positive number/);
    expect(() => T.cutmix({ numClasses: 4, p: 2 })).toThrow(/probability in \[0, 1\]/);
    expect(() => T.mixupWith(input, tensor([0, 1, 2, 3, 4, 0], { dtype: 'int64' }), 4, 0.5)).toThrow(
      ArgumentError,
    );
    expect(() => T.mixupWith(input, tensor([0, 1], { dtype: 'int64' }), 4, 0.5)).toThrow(
      /6 targets|N targets/,
    );
  });
});

describe('soft-target crossEntropy', () => {
  it('takes class probabilities of the input shape and dtype, and says what it expected otherwise', () => {
    const logits = randn([4, 3]);
    const probs = nn.functional.softmax(randn([4, 3]), 1);
    expect(nn.functional.crossEntropy(logits, probs, { labelSmoothing: 0.1 }).shape).toEqual([]);
    expect(() => nn.functional.crossEntropy(logits, randn([4, 5]))).toThrow(ShapeError);
    expect(() => nn.functional.crossEntropy(logits, randn([4, 3], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(() => nn.functional.crossEntropy(logits, tensor([0, 1, 2, 0], { dtype: 'int32' }))).toThrow(
      /int64/,
    );
  });
});
