/** The roughness measures and contour lines on surfaces whose answers are known. */
import { describe, expect, it } from 'vitest';
import { contourSegments } from '../../lib/experiments/contour.js';
import { roughness1d, roughness2d } from '../../lib/experiments/roughness.js';

const axis = (n: number) => Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));

describe('roughness', () => {
  it('finds one minimum and no concavity in a parabola, many in a wiggle', () => {
    expect(roughness1d(axis(21).map((x) => x * x))).toEqual({ localMinima: 1, nonConvexity: 0 });
    const wiggle = roughness1d(axis(41).map((x) => x * x + 0.3 * Math.cos(20 * x)));
    expect(wiggle.localMinima).toBeGreaterThan(3);
    expect(wiggle.nonConvexity).toBeGreaterThan(0.3);
  });

  it('finds one minimum and zero non-convexity in a bowl, more in an egg crate, 1 at a saddle of equal curvatures', () => {
    const xs = axis(15);
    expect(roughness2d(xs.map((y) => xs.map((x) => x * x + 2 * y * y)))).toEqual({
      localMinima: 1,
      nonConvexity: 0,
    });
    const fine = axis(41);
    const crate = roughness2d(
      fine.map((y) => fine.map((x) => x * x + y * y + 0.2 * Math.cos(12 * x) * Math.cos(12 * y))),
    );
    expect(crate.localMinima).toBeGreaterThan(4);
    expect(crate.nonConvexity).toBeGreaterThan(0.2);
    expect(roughness2d(xs.map((y) => xs.map((x) => x * x - y * y))).nonConvexity).toBeCloseTo(1, 10);
  });

  it('draws contour segments on the level set', () => {
    const xs = axis(21);
    const z = xs.map((y) => xs.map((x) => Math.hypot(x, y)));
    const segs = contourSegments(z, 0.5);
    expect(segs.length).toBeGreaterThan(20);
    const toCoord = (g: number) => -1 + (2 * g) / 20;
    for (const [a, b, c, d] of segs)
      for (const [gx, gy] of [
        [a, b],
        [c, d],
      ] as const)
        expect(Math.hypot(toCoord(gx), toCoord(gy))).toBeCloseTo(0.5, 1);
    expect(contourSegments(z, 5)).toEqual([]);
  });
});
