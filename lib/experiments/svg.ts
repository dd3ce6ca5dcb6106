/**
 * Standalone SVG charts for the experiments' figures: line panels with axes, ticks and legends,
 * written as text (no browser, no dependency), so a figure is one file that opens anywhere.
 */

/** One curve of a panel. */
export interface LineSeries {
  label: string;
  color: string;
  /** Stroke width (the paper's bold test curves: 2.5; thin training curves: 1). */
  width?: number;
  /** SVG stroke-dasharray, e.g. '4 3'. */
  dash?: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** Where a panel goes and what it shows. */
export interface PanelSpec {
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Fixed y range (default: the data's, padded). */
  yRange?: readonly [number, number];
  /** Draw points as dots too (for short series). */
  dots?: boolean;
}

/** Escapes text for SVG/XML content and attributes. */
export const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A compact label for a tick value. */
export const fmtTick = (v: number): string =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(4)));

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** A framed line chart with ticks, axis labels and a legend, as an SVG fragment. */
export function linePanel(p: PanelSpec): string {
  const m = { left: 52, right: 12, top: 26, bottom: 38 };
  const [x0, y0] = [p.x + m.left, p.y + m.top];
  const [w, h] = [p.width - m.left - m.right, p.height - m.top - m.bottom];
  const [xlo, xhi] = extent(p.series.flatMap((s) => s.points.map(([x]) => x)));
  const [ylo, yhi] = p.yRange ?? extent(p.series.flatMap((s) => s.points.map(([, y]) => y)));
  const px = (v: number) => x0 + ((v - xlo) / (xhi - xlo || 1)) * w;
  const py = (v: number) => y0 + (1 - (v - ylo) / (yhi - ylo || 1)) * h;
  const out: string[] = [
    `<text x="${x0 + w / 2}" y="${p.y + 16}" text-anchor="middle" font-size="13">${xml(p.title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  for (const t of ticks(xlo, xhi)) {
    out.push(
      `<line x1="${px(t).toFixed(1)}" y1="${y0 + h}" x2="${px(t).toFixed(1)}" y2="${y0 + h + 4}" stroke="#888"/>`,
    );
    out.push(
      `<text x="${px(t).toFixed(1)}" y="${y0 + h + 15}" text-anchor="middle" font-size="10">${fmtTick(t)}</text>`,
    );
  }
  for (const t of ticks(ylo, yhi)) {
    out.push(
      `<line x1="${x0}" y1="${py(t).toFixed(1)}" x2="${x0 + w}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${x0 - 4}" y="${(py(t) + 3).toFixed(1)}" text-anchor="end" font-size="10">${fmtTick(t)}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + w / 2}" y="${p.y + p.height - 6}" text-anchor="middle" font-size="11">${xml(p.xLabel)}</text>`,
  );
  const ly = y0 + h / 2;
  out.push(
    `<text x="${p.x + 12}" y="${ly}" text-anchor="middle" font-size="11" transform="rotate(-90 ${p.x + 12} ${ly})">${xml(p.yLabel)}</text>`,
  );
  out.push(
    `<clipPath id="clip${p.x}-${p.y}"><rect x="${x0}" y="${y0}" width="${w}" height="${h}"/></clipPath>`,
  );
  p.series.forEach((s, k) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const d = pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`;
    out.push(
      `<polyline clip-path="url(#clip${p.x}-${p.y})" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${dash} points="${d}"/>`,
    );
    if (p.dots === true)
      for (const [x, y] of pts)
        out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2" fill="${s.color}"/>`);
    const lyk = y0 + 12 + 14 * k;
    out.push(
      `<line x1="${x0 + w - 96}" y1="${lyk - 4}" x2="${x0 + w - 76}" y2="${lyk - 4}" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${dash}/>`,
    );
    out.push(`<text x="${x0 + w - 72}" y="${lyk}" font-size="10">${xml(s.label)}</text>`);
  });
  return out.join('\n');
}

/** A whole SVG document of the given size around `body`, on a white background. */
export const svgDocument = (width: number, height: number, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
