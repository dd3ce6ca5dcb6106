/**
 * How rough a loss slice is, two ways:
 * - local minima: grid points lower than all their neighbours (2 in 1-D, 8 in 2-D); a smooth
 *   bowl has one;
 * - non-convexity (Li et al. 2018, section 6): at each interior point of a 2-D slice, the
 *   eigenvalues of the finite-difference Hessian; the mean of |λmin / λmax| (capped at 1) where
 *   λmin < 0 (0 where the surface is locally convex). In 1-D: the fraction of interior points with
 *   negative second difference.
 */

/** Roughness of one slice. */
export interface Roughness {
  localMinima: number;
  /** 2-D: mean |λmin/λmax| over interior points (0 where convex); 1-D: fraction of concave points. */
  nonConvexity: number;
}

/** Roughness of a 1-D slice of evenly spaced losses. */
export function roughness1d(loss: readonly number[]): Roughness {
  let minima = 0;
  let concave = 0;
  for (let i = 0; i < loss.length; i++) {
    const l = loss[i]!;
    const left = i > 0 ? loss[i - 1]! : Infinity;
    const right = i < loss.length - 1 ? loss[i + 1]! : Infinity;
    if (l < left && l < right) minima++;
    if (i > 0 && i < loss.length - 1 && left - 2 * l + right < 0) concave++;
  }
  return { localMinima: minima, nonConvexity: concave / Math.max(loss.length - 2, 1) };
}

/** Roughness of a 2-D slice, `loss[i][j]` on an even grid. */
export function roughness2d(loss: readonly (readonly number[])[]): Roughness {
  const n = loss.length;
  const m = loss[0]?.length ?? 0;
  const at = (i: number, j: number) => (i < 0 || j < 0 || i >= n || j >= m ? Infinity : loss[i]![j]!);
  let minima = 0;
  let ratioSum = 0;
  let interior = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const l = at(i, j);
      let lowest = true;
      for (let di = -1; di <= 1; di++)
        for (let dj = -1; dj <= 1; dj++) if ((di || dj) && at(i + di, j + dj) <= l) lowest = false;
      if (lowest) minima++;
      if (i === 0 || j === 0 || i === n - 1 || j === m - 1) continue;
      const fxx = at(i + 1, j) - 2 * l + at(i - 1, j);
      const fyy = at(i, j + 1) - 2 * l + at(i, j - 1);
      const fxy = (at(i + 1, j + 1) - at(i + 1, j - 1) - at(i - 1, j + 1) + at(i - 1, j - 1)) / 4;
      const mean = (fxx + fyy) / 2;
      const r = Math.sqrt(((fxx - fyy) / 2) ** 2 + fxy ** 2);
      const [lo, hi] = [mean - r, mean + r];
      interior++;
      if (lo < 0) ratioSum += hi > 0 ? Math.min(-lo / hi, 1) : 1; // a local maximum counts fully
    }
  return { localMinima: minima, nonConvexity: ratioSum / Math.max(interior, 1) };
}
