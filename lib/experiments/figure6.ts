/**
 * degradation.svg in the layout of the paper's Figure 6: plain networks on the left, ResNets on
 * the right; error (%) against iterations; thin dashed curves training error, bold curves test
 * error; one colour per depth.
 */
import { writeFile } from 'node:fs/promises';
import type { DegradationResult } from './degradation.js';
import { linePanel, svgDocument, type LineSeries } from './svg.js';

/** Colours by depth rank, shallow to deep (the paper: 20 orange, 32 blue, 44 green, 56 red). */
const PALETTE = ['#ff7f0e', '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function seriesOf(result: DegradationResult, kind: 'plain' | 'resnet'): LineSeries[] {
  const depths = [...new Set(result.runs.map((r) => r.depth))].sort((a, b) => a - b);
  return result.runs
    .filter((r) => r.kind === kind)
    .flatMap((r) => {
      const color = PALETTE[depths.indexOf(r.depth) % PALETTE.length]!;
      const pts = (f: (p: DegradationResult['runs'][number]['history'][number]) => number) =>
        r.history.map((p) => [p.iteration, 100 * f(p)] as const);
      return [
        { label: `${r.label} train`, color, width: 1, dash: '4 3', points: pts((p) => p.trainError) },
        { label: `${r.label} test`, color, width: 2.5, points: pts((p) => p.testError) },
      ];
    });
}

/** The figure as SVG text. */
export function figure6Svg(result: DegradationResult): string {
  const all = result.runs.flatMap((r) => r.history.flatMap((p) => [p.trainError, p.testError]));
  const hi = Math.min(100, Math.ceil((100 * Math.max(0.05, ...all.filter(Number.isFinite))) / 5) * 5);
  const common = {
    y: 0,
    width: 420,
    height: 300,
    xLabel: 'iterations',
    yLabel: 'error (%)',
    yRange: [0, hi] as const,
  };
  const body = [
    linePanel({ ...common, x: 0, title: 'plain networks', series: seriesOf(result, 'plain') }),
    linePanel({ ...common, x: 420, title: 'ResNets', series: seriesOf(result, 'resnet') }),
  ].join('\n');
  return svgDocument(840, 300, body);
}

/** Writes the figure to `path`. */
export async function writeFigure6(path: string, result: DegradationResult): Promise<void> {
  await writeFile(path, figure6Svg(result));
}
