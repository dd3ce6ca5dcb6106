/**
 * Contour lines of a grid by marching squares (saddle cells split the simple way), and the 2-D
 * landscape figure: one contour panel per network, side by side, as SVG.
 */
import { svgDocument, xml } from './svg.js';

type Seg = [number, number, number, number];

/** Segments of the level-`c` contour of `z[i][j]` (i: row = y, j: column = x), in grid units. */
export function contourSegments(z: readonly (readonly number[])[], c: number): Seg[] {
  const segs: Seg[] = [];
  const lerp = (a: number, b: number) => (c - a) / (b - a || 1e-30);
  for (let i = 0; i + 1 < z.length; i++)
    for (let j = 0; j + 1 < z[i]!.length; j++) {
      const [a, b, d, e] = [z[i]![j]!, z[i]![j + 1]!, z[i + 1]![j + 1]!, z[i + 1]![j]!]; // corners clockwise from (i, j)
      const pts: Array<[number, number]> = [];
      if (a < c !== b < c) pts.push([j + lerp(a, b), i]);
      if (b < c !== d < c) pts.push([j + 1, i + lerp(b, d)]);
      if (d < c !== e < c) pts.push([j + 1 - lerp(d, e), i + 1]);
      if (e < c !== a < c) pts.push([j, i + 1 - lerp(e, a)]);
      for (let k = 0; k + 1 < pts.length; k += 2) segs.push([...pts[k]!, ...pts[k + 1]!]);
    }
  return segs;
}

/** One network's 2-D slice. */
export interface SurfacePanel {
  title: string;
  /** Coordinates along the two directions. */
  alphas: readonly number[];
  loss: readonly (readonly number[])[];
}

/** Contour plots of the slices side by side, with levels shared so the panels compare. */
export function contourSvg(panels: readonly SurfacePanel[], levels = 20): string {
  const size = 320;
  const pad = 40;
  const all = panels.flatMap((p) => p.loss.flat()).filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  // Levels evenly spaced in log(loss): the basin's detail and the rim both show.
  const level = (k: number) => Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * (k + 0.5)) / levels);
  const body = panels.map((p, n) => {
    const x0 = n * (size + pad) + pad;
    const cells = p.alphas.length - 1;
    const sx = (v: number) => x0 + (v / cells) * size;
    const sy = (v: number) => pad + size - (v / cells) * size;
    const lines: string[] = [
      `<text x="${x0 + size / 2}" y="${pad - 12}" text-anchor="middle" font-size="13">${xml(p.title)}</text>`,
      `<rect x="${x0}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#888"/>`,
      `<text x="${x0}" y="${pad + size + 14}" font-size="10">${p.alphas[0]}</text>`,
      `<text x="${x0 + size}" y="${pad + size + 14}" text-anchor="end" font-size="10">${p.alphas.at(-1)}</text>`,
      `<text x="${x0 + size / 2}" y="${pad + size + 28}" text-anchor="middle" font-size="11">direction δ (x), η (y); trained weights at the centre</text>`,
    ];
    for (let k = 0; k < levels; k++) {
      const c = level(k);
      const t = k / (levels - 1);
      const color = `rgb(${Math.round(40 + 200 * t)},${Math.round(60 + 80 * (1 - t))},${Math.round(200 * (1 - t))})`;
      const d = contourSegments(p.loss, c)
        .map(
          ([a, b, e, f]) =>
            `M${sx(a).toFixed(1)},${sy(b).toFixed(1)}L${sx(e).toFixed(1)},${sy(f).toFixed(1)}`,
        )
        .join('');
      if (d) lines.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1"/>`);
    }
    return lines.join('\n');
  });
  const width = panels.length * (size + pad) + pad;
  return svgDocument(width, size + 2 * pad + 10, body.join('\n'));
}
