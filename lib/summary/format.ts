/** The text of a model summary: torchinfo's layout (layer, output shape, parameters, mult-adds) and totals. */
import type { ModelSummary } from './summary.js';

/** How much of the summary to print. */
export interface FormatOptions {
  /** Rows nested deeper than this are folded into their parents (default 3, as torchinfo). */
  depth?: number;
  /** Append the bottleneck-versus-two-3×3 comparison, one line per block (default true when the model has bottlenecks). */
  blocks?: boolean;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const giga = (n: number): string => (n / 1e9).toFixed(2);
const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;

function table(header: string[], lines: string[][], rightFrom: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [rule, fmt(header), rule, ...lines.map(fmt), rule];
}

/** The summary as text. */
export function formatSummary(s: ModelSummary, options: FormatOptions = {}): string {
  const depth = options.depth ?? 3;
  const rows = s.rows.filter((r) => r.depth <= depth);
  const body = rows.map((r) => {
    const label = r.depth === 0 ? r.type : `${'│ '.repeat(r.depth - 1)}└─${r.type}: ${r.name}`;
    const params = r.parameters === 0 ? (r.leaf ? '--' : '(counted)') : int(r.parameters);
    return [
      label,
      shape(r.outputShape),
      r.depth === 0 ? int(s.totalParameters) : params,
      r.macs === 0 ? '--' : int(r.macs),
    ];
  });
  const input = s.inputShape;
  const lines = [
    ...table(['Layer (type: name)', 'Output shape', 'Param #', 'Mult-adds'], body, 2),
    `Total params: ${int(s.totalParameters)}`,
    `Trainable params: ${int(s.trainableParameters)}`,
    `Non-trainable params: ${int(s.totalParameters - s.trainableParameters)}`,
    `Total mult-adds (G): ${giga(s.totalMacs)}  (input ${shape(input)}; convolutions and linear layers, as torchvision counts)`,
  ];
  if ((options.blocks ?? true) && s.bottlenecks.length > 0) {
    lines.push(
      '',
      'Bottleneck blocks: 1×1 reduce + 3×3 + 1×1 expand, against two 3×3 convolutions between the same widths',
    );
    const b = s.bottlenecks.map((k) => {
      const own = k.convParameters.reduce((a, c) => a + c, 0);
      return [
        k.name, `${k.inChannels}→${k.width}${k.groups > 1 ? `/g${k.groups}` : ''}→${k.outChannels}`,
        k.convParameters.map(int).join(' + '), int(own), int(k.twoConv3x3Parameters),
        `${(k.twoConv3x3Parameters / own).toFixed(1)}×`, `${(k.twoConv3x3Macs / Math.max(k.macs, 1)).toFixed(1)}×`,
      ]; // prettier-ignore
    });
    lines.push(
      ...table(
        ['block', 'channels', '1×1 + 3×3 + 1×1 params', 'total', 'two 3×3', 'params saved', 'MACs saved'],
        b,
        2,
      ),
    );
  }
  return lines.join('\n');
}
