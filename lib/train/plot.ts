/** metrics.svg: loss and top-1 accuracy per epoch, train and eval, as a standalone SVG. */
import { writeFile } from 'node:fs/promises';
import type { EpochRecord } from './trainer.js';

interface Series {
  label: string;
  color: string;
  values: Array<number | undefined>;
}

function panel(title: string, series: Series[], x0: number, percent: boolean): string {
  const [w, h, pad] = [380, 260, 40];
  const all = series.flatMap((s) =>
    s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => x0 + pad + (n <= 1 ? 0 : (i * (w - 2 * pad)) / (n - 1));
  const py = (v: number) => 20 + pad + (1 - (v - lo) / span) * (h - 2 * pad);
  const fmt = (v: number) => (percent ? `${(100 * v).toFixed(1)}%` : v.toFixed(3));
  const lines = series.map((s, k) => {
    const pts = s.values
      .map((v, i) => (v === undefined ? null : `${px(i).toFixed(1)},${py(v).toFixed(1)}`))
      .filter(Boolean);
    return (
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>` +
      `<text x="${x0 + w - pad - 70}" y="${40 + 16 * k}" fill="${s.color}" font-size="12">${s.label}</text>`
    );
  });
  return [
    `<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-size="14">${title}</text>`,
    `<rect x="${x0 + pad}" y="${20 + pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + pad - 4}" y="${py(hi) + 4}" text-anchor="end" font-size="10">${fmt(hi)}</text>`,
    `<text x="${x0 + pad - 4}" y="${py(lo) + 4}" text-anchor="end" font-size="10">${fmt(lo)}</text>`,
    `<text x="${x0 + w / 2}" y="${h + 12}" text-anchor="middle" font-size="11">epoch (1–${n})</text>`,
    ...lines,
  ].join('\n');
}

export async function writePlot(path: string, history: readonly EpochRecord[]): Promise<void> {
  const loss = panel(
    'loss',
    [
      { label: 'train', color: '#1f77b4', values: history.map((r) => r.train.loss) },
      { label: 'eval', color: '#d62728', values: history.map((r) => r.eval?.loss) },
    ],
    0,
    false,
  );
  const acc = panel(
    'top-1 accuracy',
    [
      { label: 'train', color: '#1f77b4', values: history.map((r) => r.train.top1) },
      { label: 'eval', color: '#d62728', values: history.map((r) => r.eval?.top1) },
    ],
    400,
    true,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="290" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${loss}\n${acc}\n</svg>\n`;
  await writeFile(path, svg);
}
