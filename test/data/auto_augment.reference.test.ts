/**
 * The AutoAugment ops against torchvision 0.14's (`autoaugment._apply_op`, i.e.
 * `transforms.functional` on uint8 tensors) on photo-like images the reference script draws,
 * and the augmentation spaces and policies against torchvision's own tables.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { data, tidy } from '../../lib/index.js';
import { loadReference, type Json } from '../helpers/reference.js';

const T = data.transforms;
const ref = await loadReference('augment');
const TOL = (JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Json)[
  'augmentOps'
] as { atol: number };

interface OpCase { name: string; image: string; op: data.transforms.AugmentOpName; magnitude: number; interpolation: 'nearest' | 'bilinear'; matrix?: number[] } // prettier-ignore

describe('AutoAugment ops against torchvision.transforms.functional on uint8 tensors', () => {
  const cases = ref.meta.ops as OpCase[];
  const ops = [...new Set(cases.map((c) => c.op))];
  it('the reference covers every op the library has', () => {
    expect(ops.sort()).toEqual([...T.augmentOpNames].sort());
  });
  for (const op of ops) {
    it(`${op} at each magnitude (and interpolation), RGB and grayscale images`, () => {
      let worst = 0;
      let changed = 0; // cases where torchvision's result is not its input: the op was exercised
      for (const c of cases.filter((x) => x.op === op)) {
        const [got, want, input] = tidy(() => {
          const out = T.applyAugmentOp(ref.tensor(c.image), c.op, c.magnitude, c.interpolation);
          return [out, ref.tensor(c.name), ref.tensor(c.image)].map((t) => t.dataSync() as Float32Array);
        }) as [Float32Array, Float32Array, Float32Array];
        if (want.some((v, i) => v !== input[i])) changed++;
        expect(got.length, c.name).toBe(want.length);
        let max = 0;
        let differing = 0;
        for (let i = 0; i < got.length; i++) {
          const d = Math.abs(got[i]! - want[i]!);
          if (d > 0) differing++;
          max = Math.max(max, d);
        }
        worst = Math.max(worst, max);
        expect(max, `${c.name} (magnitude ${c.magnitude}): ${differing} values differ`).toBeLessThanOrEqual(
          TOL.atol,
        );
      }
      if (op !== 'Identity') expect(changed, 'cases that change the image').toBeGreaterThan(0);
      console.log(
        `${op}: ${changed} cases change the image; max |library - torchvision| ${worst} over ${cases.filter((x) => x.op === op).length} cases`,
      );
    });
  }
});

describe("the geometric ops' inverse affine matrices", () => {
  it("equal torchvision's _get_inverse_affine_matrix in float64, bit for bit", () => {
    const cases = (ref.meta.ops as OpCase[]).filter((c) => c.matrix !== undefined);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const [, h, w] = ref.tensor(c.image).shape as [number, number, number];
      expect(
        T.geometricOpMatrix(c.op as data.transforms.GeometricOpName, c.magnitude, h, w),
        `${c.op} ${c.magnitude}`,
      ).toEqual(c.matrix);
    }
  });
});

const table = (space: data.transforms.AugmentSpaceOp[]) => space.map((e) => ({ ...e }));

describe('augmentation spaces and policies against torchvision', () => {
  const spaces = ref.meta.spaces as Record<string, Json>;
  it("TrivialAugmentWide's 31-bin space", () => {
    expect(table(T.trivialAugmentWideSpace(31))).toEqual(spaces['trivialAugmentWide']);
  });
  for (const size of ['32x32', '224x224', '29x41']) {
    const [h, w] = size.split('x').map(Number) as [number, number];
    it(`RandAugment's 31-bin and AutoAugment's 10-bin spaces for ${size} images`, () => {
      expect(table(T.randAugmentSpace(31, [h, w]))).toEqual(spaces[`randAugment.${size}`]);
      expect(table(T.autoAugmentSpace(10, [h, w]))).toEqual(spaces[`autoAugment.${size}`]);
    });
  }
  it('the imagenet, cifar10 and svhn policies', () => {
    const plain = JSON.parse(JSON.stringify(T.autoAugmentPolicies)) as Json;
    expect(plain).toEqual(ref.meta.policies);
  });
});

describe('the policies draw as torchvision does', () => {
  const image = tidy(() => ref.tensor('image.0').narrow(1, 0, 16).narrow(2, 0, 16).contiguous());
  /** Draws from a seeded generator, counting the int(n) draws made with each n. */
  function counting(seed: number) {
    const rng = new data.Rng(seed);
    const ints = new Map<number, number[]>();
    const draws = {
      next: () => rng.next(),
      int: (n: number) => {
        const v = rng.int(n);
        ints.set(n, [...(ints.get(n) ?? []), v]);
        return v;
      },
    };
    return { draws, ints };
  }
  const z = (JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Json)[
    'samplingZ'
  ].z;

  it('scripted draws pick the op, the bin and the sign: the result is that op at that magnitude', () => {
    const ta = T.trivialAugmentWide();
    const space = T.trivialAugmentWideSpace(31);
    space.forEach((entry, k) => {
      const script = [k, ...(entry.magnitudes === null ? [] : [20]), ...(entry.signed ? [1] : [])];
      const draws = { next: () => 0, int: () => script.shift()! };
      const m = entry.magnitudes === null ? 0 : (entry.signed ? -1 : 1) * entry.magnitudes[20]!;
      tidy(() => {
        const got = ta.augmentImage(image, draws).dataSync() as Float32Array;
        expect(Array.from(got), entry.op).toEqual(
          Array.from(T.applyAugmentOp(image, entry.op, m).dataSync() as Float32Array),
        );
      });
      expect(script, `${entry.op}: every scripted draw used`).toEqual([]);
    });
  });

  for (const [name, make, n, perImage] of [
    ['TrivialAugmentWide', () => T.trivialAugmentWide(), 14, 1],
    ['RandAugment', () => T.randAugment(), 14, 2],
    ['AutoAugment(imagenet)', () => T.autoAugment('imagenet'), 25, 1],
  ] as const) {
    it(`${name}: every op (sub-policy) is drawn, uniformly, and a seed fixes the result`, () => {
      const batch = tidy(() => image.unsqueeze(0).expand([300, 3, 16, 16]).div(255).contiguous());
      const t = make();
      const { draws, ints } = counting(21);
      const out = tidy(() => t.apply(batch, draws as unknown as data.Rng).dataSync() as Float32Array);
      const picks = ints.get(n) ?? [];
      expect(picks.length).toBe(300 * perImage);
      for (let k = 0; k < n; k++) {
        const share = picks.filter((v) => v === k).length / picks.length;
        expect(Math.abs(share - 1 / n), `${name} choice ${k}: share ${share}`).toBeLessThan(
          z * Math.sqrt(((1 / n) * (1 - 1 / n)) / picks.length),
        );
      }
      const again = tidy(() => t.apply(batch, new data.Rng(21)).dataSync() as Float32Array);
      expect(Array.from(again)).toEqual(Array.from(out));
      const other = tidy(() => t.apply(batch, new data.Rng(22)).dataSync() as Float32Array);
      expect(Array.from(other)).not.toEqual(Array.from(out));
    });
  }

  it('refuses images of other than 1 or 3 channels', () => {
    const t = T.trivialAugmentWide();
    expect(() =>
      t.apply(
        tidy(() => image.unsqueeze(0).narrow(1, 0, 2)),
        new data.Rng(1),
      ),
    ).toThrow(/1 or 3 channels.*\[1, 2, 16, 16\]/);
  });
});
