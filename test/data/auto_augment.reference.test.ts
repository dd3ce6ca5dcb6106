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

interface OpCase { name: string; image: string; op: data.transforms.AugmentOpName; magnitude: number } // prettier-ignore

describe('AutoAugment ops against torchvision.transforms.functional on uint8 tensors', () => {
  const cases = ref.meta.ops as OpCase[];
  const ops = [...new Set(cases.map((c) => c.op))];
  it('the reference covers every op the library has', () => {
    expect(ops.sort()).toEqual([...T.augmentOpNames].sort());
  });
  for (const op of ops) {
    it(`${op} at each magnitude, RGB and grayscale images`, () => {
      let worst = 0;
      let changed = 0; // cases where torchvision's result is not its input: the op was exercised
      for (const c of cases.filter((x) => x.op === op)) {
        const [got, want, input] = tidy(() => {
          const out = T.applyAugmentOp(ref.tensor(c.image), c.op, c.magnitude);
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
