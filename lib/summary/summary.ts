/**
 * `model.summary(inputShape)`: a layer-by-layer table as torchinfo prints it — output shape,
 * parameters and multiply-accumulates per layer, with totals — from one forward pass of zeros
 * in eval mode (running statistics untouched, modes restored).
 *
 * Multiply-accumulates (MACs) follow torchvision's published "GFLOPS": every convolution
 * contributes output elements × (input channels / groups) × kernel height × kernel width, every
 * linear layer output elements × input features; batch norm, activations, pooling, additions and
 * biases count nothing.
 */
import { zeros } from '../creation.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { checkShape } from '../validate.js';
import { bottleneckSavings, type BottleneckSaving } from './bottleneck.js';
import { withForwardHooks } from './forward_hooks.js';
import { formatSummary, type FormatOptions } from './format.js';

/** One call of one module in the forward pass. */
export interface LayerRow {
  /** Qualified name ('layer1.0.conv1'; '' for the model itself). */
  name: string;
  /** Class name ('Conv2d', 'Bottleneck', ...). */
  type: string;
  /** Nesting depth: 0 for the model, 1 for its children, ... */
  depth: number;
  outputShape: number[];
  /** Parameters of the module and its descendants, on its first call (0 on later calls: counted once). */
  parameters: number;
  /** Multiply-accumulates of this call, descendants included. */
  macs: number;
  /** Whether the module has no submodules. */
  leaf: boolean;
}

/** What `summary` returns; `toString()` is the table. */
export class ModelSummary {
  constructor(
    /** The input shape of the forward pass. */
    readonly inputShape: readonly number[],
    /** Every module call in execution order (parents before their children). */
    readonly rows: readonly LayerRow[],
    /** All parameters. */
    readonly totalParameters: number,
    /** Parameters with requiresGrad. */
    readonly trainableParameters: number,
    /** Multiply-accumulates of the whole forward pass (for the whole batch). */
    readonly totalMacs: number,
    /** Each bottleneck block against two 3×3 convolutions of the same widths. */
    readonly bottlenecks: readonly BottleneckSaving[],
  ) {}

  /** The table: rows up to `depth` (default 3), totals, and the bottleneck comparison with `blocks`. */
  format(options: FormatOptions = {}): string {
    return formatSummary(this, options);
  }

  /** The table with the default options. */
  toString(): string {
    return this.format();
  }
}

/** The class name; a bundler that renames a class to avoid a collision prefixes underscores. */
const typeName = (m: Module): string => m.constructor.name.replace(/^_+/, '');

/** The MACs of a leaf module's call with output `y`. */
function leafMacs(m: Module, y: Tensor): number {
  if (m instanceof Conv2d) {
    const [kh, kw] = m.kernelSize;
    return y.numel() * (m.inChannels / m.groups) * kh * kw;
  }
  if (m instanceof Linear) return y.numel() * m.inFeatures;
  return 0;
}

/** Runs `model` on zeros of `inputShape` and tabulates every module call. */
export function summarize(model: Module, inputShape: readonly number[]): ModelSummary {
  const shape = checkShape('inputShape', inputShape);
  const rows: LayerRow[] = [];
  const open: LayerRow[] = [];
  const seen = new Set<Module>();
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    withForwardHooks(
      model,
      {
        enter(name, m) {
          const row: LayerRow = {
            name, type: typeName(m), depth: name === '' ? 0 : name.split('.').length, outputShape: [],
            parameters: seen.has(m) ? 0 : m.numParameters(), macs: 0, leaf: m.children().length === 0,
          }; // prettier-ignore
          seen.add(m);
          rows.push(row);
          open.push(row);
        },
        exit(_name, m, y) {
          const row = open.pop()!;
          row.outputShape = [...y.shape];
          if (row.leaf) {
            row.macs = leafMacs(m, y);
            for (const parent of open) parent.macs += row.macs;
          }
        },
      },
      () =>
        noGrad(() => {
          const x = zeros(shape);
          const y = model.forward(x);
          x.dispose();
          y.dispose();
        }),
    );
  } finally {
    for (const [m, training] of modes) m.train(training);
  }
  const params = model.parameters();
  return new ModelSummary(
    shape,
    rows,
    params.reduce((s, p) => s + p.numel(), 0),
    params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.numel(), 0),
    rows[0]?.macs ?? 0,
    bottleneckSavings(model, rows),
  );
}
