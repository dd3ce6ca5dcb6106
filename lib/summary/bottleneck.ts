/**
 * Where a Bottleneck's 1×1 convolutions save: for each bottleneck block, the parameters and MACs
 * of its three convolutions (1×1 reduce, 3×3, 1×1 expand) against the two 3×3 convolutions a
 * BasicBlock would use between the same input and output widths (He et al. 2015, Figure 5).
 */
import { Bottleneck } from '../models/blocks.js';
import type { Module } from '../nn/module.js';
import type { LayerRow } from './summary.js';

/** One bottleneck block against its two-3×3 counterpart. */
export interface BottleneckSaving {
  name: string;
  inChannels: number;
  /** Channels of the inner 3×3 convolution. */
  width: number;
  outChannels: number;
  groups: number;
  /** Parameters of conv1 (1×1), conv2 (3×3) and conv3 (1×1). */
  convParameters: [number, number, number];
  /** Parameters of two 3×3 convolutions, in→out and out→out, with the same stride. */
  twoConv3x3Parameters: number;
  /** MACs of the three convolutions, and of the two 3×3 ones, at the block's output size. */
  macs: number;
  twoConv3x3Macs: number;
}

/** Every Bottleneck of `model`, with the spatial size its call produced. */
export function bottleneckSavings(model: Module, rows: readonly LayerRow[]): BottleneckSaving[] {
  const out: BottleneckSaving[] = [];
  for (const [name, m] of model.namedModules()) {
    if (!(m instanceof Bottleneck)) continue;
    const row = rows.find((r) => r.name === name);
    const [, , h = 0, w = 0] = row?.outputShape ?? [];
    const [c1, c2, c3] = [m.conv1, m.conv2, m.conv3];
    const groups = c2.groups;
    const [inC, width, outC] = [c1.inChannels, c2.outChannels, c3.outChannels];
    const conv = [inC * width, (width * width * 9) / groups, width * outC] as [number, number, number];
    const pair = 9 * inC * outC + 9 * outC * outC;
    out.push({
      name, inChannels: inC, width, outChannels: outC, groups, convParameters: conv, twoConv3x3Parameters: pair,
      // The 1×1 reduce runs at the input size; for a strided block that is 4× the output's area.
      macs: h * w * ((m.stride * m.stride * conv[0]) + conv[1] + conv[2]), twoConv3x3Macs: h * w * pair,
    }); // prettier-ignore
  }
  return out;
}
