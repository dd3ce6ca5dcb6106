/**
 * responses.svg in the layout of the paper's Figure 7: the std of each 3×3 layer's response in
 * layer order (top) and sorted by magnitude, largest first (bottom); plain nets dashed, ResNets solid.
 */
import type { ResponsesResult } from './responses.js';
import { linePanel, svgDocument, type LineSeries } from './svg.js';

const PALETTE = ['#ff7f0e', '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** The figure as SVG text. */
export function figure7Svg(result: ResponsesResult): string {
  const depths = [...new Set(result.runs.map((r) => r.depth))].sort((a, b) => a - b);
  const series = (sorted: boolean): LineSeries[] =>
    result.runs.map((r) => {
      const values = r.layers.map((l) => l.std);
      if (sorted) values.sort((a, b) => b - a);
      return {
        label: r.label,
        color: PALETTE[depths.indexOf(r.depth) % PALETTE.length]!,
        width: 1.5,
        ...(r.kind === 'plain' ? { dash: '5 3' } : {}),
        points: values.map((v, i) => [i + 1, v] as const),
      };
    });
  const common = { x: 0, width: 760, height: 280, yLabel: 'std' };
  return svgDocument(
    760,
    560,
    [
      linePanel({ ...common, y: 0, title: 'responses of the 3×3 layers, in layer order', xLabel: 'layer index (original)', series: series(false) }),
      linePanel({ ...common, y: 280, title: 'sorted by magnitude', xLabel: 'layer index (sorted by magnitude)', series: series(true) }),
    ].join('\n'),
  ); // prettier-ignore
}
