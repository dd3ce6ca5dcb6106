import { describe, expect, it } from 'vitest';
import { ArgumentError, data, randn, type Tensor } from '../../lib/index.js';

const T = data.transforms;
const floats = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

/** The bounding box of the pixels where `out` differs from `x` in image i (channel 0), or null. */
function changedBox(x: Tensor, out: Tensor, i: number): { h: number; w: number; count: number } | null {
  const [, , H, W] = x.shape as [number, number, number, number];
  const a = floats(x.select(0, i).select(0, 0));
  const b = floats(out.select(0, i).select(0, 0));
  let [r0, r1, c0, c1, count] = [H, -1, W, -1, 0];
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      if (a[r * W + c] !== b[r * W + c]) {
        [r0, r1, c0, c1] = [Math.min(r0, r), Math.max(r1, r), Math.min(c0, c), Math.max(c1, c)];
        count++;
      }
  return count === 0 ? null : { h: r1 - r0 + 1, w: c1 - c0 + 1, count };
}

describe('randomErasing', () => {
  it('with p = 1 sets one rectangle per image, in every channel, to the value, within scale and ratio', () => {
    const x = randn([200, 3, 32, 32]);
    const out = T.randomErasing(1, { value: 7 }).apply(x, new data.Rng(5));
    expect(out.shape).toEqual(x.shape);
    let erased = 0;
    for (let i = 0; i < 200; i++) {
      const box = changedBox(x, out, i);
      if (box === null) continue; // torchvision gives up after 10 draws that do not fit
      erased++;
      // A filled rectangle: every changed pixel lies in it and every pixel of it changed.
      expect(box.count).toBe(box.h * box.w);
      const area = box.h * box.w;
      // Rounding h and w to integers moves the area and ratio a little past the drawn ones.
      expect(area).toBeGreaterThanOrEqual(Math.floor(0.02 * 1024 * 0.7));
      expect(area).toBeLessThanOrEqual(Math.ceil(0.33 * 1024 * 1.3));
      expect(box.h / box.w).toBeGreaterThan(0.3 * 0.6);
      expect(box.h / box.w).toBeLessThan(3.3 / 0.6);
      for (let c = 0; c < 3; c++) {
        const plane = floats(out.select(0, i).select(0, c));
        expect(plane.filter((v) => v === 7).length).toBe(area);
      }
    }
    expect(erased).toBeGreaterThan(180);
  });

  it('erases about a fraction p of the images, leaves the rest as they were, and repeats with the seed', () => {
    const x = randn([1000, 1, 12, 12]);
    const erase = T.randomErasing(0.3);
    const out = erase.apply(x, new data.Rng(9));
    let changed = 0;
    for (let i = 0; i < 1000; i++) if (changedBox(x, out, i) !== null) changed++;
    // Binomial(1000, 0.3 × P(fit)): well inside 200..340.
    expect(changed).toBeGreaterThan(200);
    expect(changed).toBeLessThan(340);
    expect(floats(erase.apply(x, new data.Rng(9)))).toEqual(floats(out));
    expect(floats(T.randomErasing(0).apply(x, new data.Rng(9)))).toEqual(floats(x));
  });

  it('keeps float64 batches float64', () => {
    const x = randn([4, 2, 8, 8], { dtype: 'float64' });
    expect(T.randomErasing(1).apply(x, new data.Rng(1)).dtype).toBe('float64');
  });

  it('refuses probabilities, scales and ratios out of range, naming them', () => {
    expect(() => T.randomErasing(1.5)).toThrow(ArgumentError);
    expect(() => T.randomErasing(1.5)).toThrow(/probability in \[0, 1\] for p/);
    expect(() => T.randomErasing(0.5, { scale: [0.5, 0.1] })).toThrow(/scale/);
    expect(() => T.randomErasing(0.5, { ratio: [0, 1] })).toThrow(/ratio/);
    expect(() => T.randomErasing(0.5, { value: Number.NaN })).toThrow(/finite number for value/);
  });
});
