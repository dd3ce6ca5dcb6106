/** The 2-D slices as one PNG heat map (panels side by side, shared log-scale colours), through sharp. */
import sharp from 'sharp';

/** A perceptually ordered ramp (dark blue → teal → yellow), t in [0, 1]. */
function colour(t: number): [number, number, number] {
  const stops: Array<[number, number, number]> = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const k = Math.min(Math.floor(x), stops.length - 2);
  const f = x - k;
  const [a, b] = [stops[k]!, stops[k + 1]!];
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [number, number, number];
}

/** Writes `grids` (loss[i][j], i upward) as a PNG, each cell `cell` pixels, panels `gap` apart. */
export async function writeHeatmap(
  path: string,
  grids: readonly (readonly (readonly number[])[])[],
  cell = 24,
  gap = 16,
): Promise<void> {
  const all = grids.flatMap((g) => g.flat()).filter((v) => Number.isFinite(v) && v > 0);
  const [lo, hi] = [Math.log(Math.min(...all)), Math.log(Math.max(...all))];
  const rows = Math.max(...grids.map((g) => g.length));
  const widths = grids.map((g) => (g[0]?.length ?? 0) * cell);
  const width = widths.reduce((a, b) => a + b, 0) + gap * (grids.length - 1);
  const height = rows * cell;
  const px = Buffer.alloc(width * height * 3, 255);
  let x0 = 0;
  grids.forEach((g, n) => {
    g.forEach((row, i) =>
      row.forEach((v, j) => {
        const rgb = colour((Math.log(v) - lo) / (hi - lo || 1));
        for (let y = 0; y < cell; y++)
          for (let x = 0; x < cell; x++) {
            const o = (((g.length - 1 - i) * cell + y) * width + x0 + j * cell + x) * 3;
            px[o] = rgb[0];
            px[o + 1] = rgb[1];
            px[o + 2] = rgb[2];
          }
      }),
    );
    x0 += widths[n]! + gap;
  });
  await sharp(px, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}
