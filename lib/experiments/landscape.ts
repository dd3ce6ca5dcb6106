/**
 * Loss landscapes (Li et al. 2018): the test loss of a trained network at θ + α·δ (1-D) and
 * θ + α·δ + β·η (2-D) for random filter-normalized directions δ, η, evaluated with
 * `forwardAsync` (captured once, replayed on the addon's thread with the moved weights), so the
 * event loop stays free. The same seed gives every network its directions from the same draws.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../io/folder.js';
import { crossEntropy } from '../nn/functional.js';
import type { Module } from '../nn/module.js';
import { manualSeed, noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { contourSvg } from './contour.js';
import { disposeDirection, filterNormalizedDirection, moveTo, snapshot } from './directions.js';
import { writeHeatmap } from './heatmap.js';
import { roughness1d, roughness2d, type Roughness } from './roughness.js';
import { linePanel, svgDocument } from './svg.js';
import type { TrainedNet } from './trained.js';

/** The slices' extent and resolution. */
export interface LandscapeOptions {
  /** Coordinates run over [-range, range] (default 1, as Li et al.). */
  range: number;
  /** Points of the 1-D slice. */
  points1d: number;
  /** Points per side of the 2-D grid. */
  points2d: number;
  seed: number;
}

/** One network's slices. */
export interface LandscapeRun {
  name: string;
  label: string;
  kind: 'plain' | 'resnet';
  depth: number;
  alphas1d: number[];
  loss1d: number[];
  alphas2d: number[];
  /** loss2d[i][j] at β = alphas2d[i], α = alphas2d[j]. */
  loss2d: number[][];
  roughness1d: Roughness;
  roughness2d: Roughness;
}

/** landscape.json. */
export interface LandscapeResult {
  experiment: 'landscape';
  images: number;
  options: LandscapeOptions;
  runs: LandscapeRun[];
  /** Per depth with both kinds: whether the plain net's 2-D slice is the less convex. */
  checks: Record<string, boolean>;
}

const grid = (n: number, r: number): number[] =>
  Array.from({ length: n }, (_, i) => Number((n === 1 ? 0 : -r + (2 * r * i) / (n - 1)).toFixed(6)));

/** The mean cross-entropy of `model` (eval mode) on the batch, off the JavaScript thread. */
async function lossOf(model: Module, input: Tensor, target: Tensor): Promise<number> {
  const logits = await model.forwardAsync(input);
  const loss = noGrad(() => {
    const l = crossEntropy(logits, target);
    const v = l.item();
    l.dispose();
    return v;
  });
  logits.dispose();
  return loss;
}

/** The 1-D and 2-D slices of one network; its weights are restored after. */
export async function sliceNet(
  net: TrainedNet,
  input: Tensor,
  target: Tensor,
  o: LandscapeOptions,
  progress?: (done: number, total: number) => void,
): Promise<LandscapeRun> {
  const model = net.model;
  model.eval();
  manualSeed(o.seed);
  const theta = snapshot(model);
  const dirs = [filterNormalizedDirection(model), filterNormalizedDirection(model)];
  const a1 = grid(o.points1d, o.range);
  const a2 = grid(o.points2d, o.range);
  const total = a1.length + a2.length ** 2;
  let done = 0;
  const at = async (coords: number[]) => {
    moveTo(model, theta, dirs, coords);
    const l = await lossOf(model, input, target);
    progress?.(++done, total);
    return l;
  };
  try {
    const loss1d: number[] = [];
    for (const a of a1) loss1d.push(await at([a, 0]));
    const loss2d: number[][] = [];
    for (const b of a2) {
      const row: number[] = [];
      for (const a of a2) row.push(await at([a, b]));
      loss2d.push(row);
    }
    return {
      name: net.name, label: net.label, kind: net.spec.kind, depth: net.spec.depth,
      alphas1d: a1, loss1d, alphas2d: a2, loss2d, roughness1d: roughness1d(loss1d), roughness2d: roughness2d(loss2d),
    }; // prettier-ignore
  } finally {
    moveTo(model, theta, dirs, [0, 0]);
    disposeDirection(theta);
    dirs.forEach(disposeDirection);
  }
}

/** Whether each plain net's 2-D slice is less convex than the ResNet's of the same depth. */
export function landscapeChecks(runs: readonly LandscapeRun[]): Record<string, boolean> {
  const checks: Record<string, boolean> = {};
  for (const p of runs.filter((r) => r.kind === 'plain')) {
    const r = runs.find((x) => x.kind === 'resnet' && x.depth === p.depth);
    if (r)
      checks[`plain${p.depth}RougherThanResnet${p.depth}`] =
        p.roughness2d.nonConvexity > r.roughness2d.nonConvexity;
  }
  return checks;
}

/** The 1-D slices as SVG (log loss against α). */
function slices1dSvg(runs: readonly LandscapeRun[]): string {
  const palette = ['#ff7f0e', '#1f77b4', '#2ca02c', '#d62728'];
  const series = runs.map((r, k) => ({
    label: r.label, color: palette[k % palette.length]!, width: 2, ...(r.kind === 'plain' ? { dash: '5 3' } : {}),
    points: r.alphas1d.map((a, i) => [a, Math.log10(r.loss1d[i]!)] as const),
  })); // prettier-ignore
  return svgDocument(560, 320, linePanel({ x: 0, y: 0, width: 560, height: 320, title: '1-D slices along a filter-normalized direction', xLabel: 'α', yLabel: 'log10 test loss', series, dots: true })); // prettier-ignore
}

/** Slices every net; writes landscape.json, landscape-1d.svg, landscape-2d.svg (contours) and landscape-2d.png (heat map). */
export async function runLandscape(
  nets: readonly TrainedNet[],
  input: Tensor,
  target: Tensor,
  o: LandscapeOptions,
  outDir: string,
  log: (line: string) => void = () => {},
): Promise<LandscapeResult> {
  await makeFolder(outDir);
  const runs: LandscapeRun[] = [];
  for (const net of nets) {
    const t0 = performance.now();
    const run = await sliceNet(net, input, target, o, (d, n) => {
      if (d === n || d % 20 === 0) log(`${net.label}: ${d}/${n} points`);
    });
    runs.push(run);
    log(
      `${net.label}: 2-D non-convexity ${run.roughness2d.nonConvexity.toFixed(3)}, ${run.roughness2d.localMinima} local minima (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  const result: LandscapeResult = {
    experiment: 'landscape',
    images: input.shape[0]!,
    options: o,
    runs,
    checks: landscapeChecks(runs),
  };
  await writeFile(join(outDir, 'landscape.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, 'landscape-1d.svg'), slices1dSvg(runs));
  await writeFile(
    join(outDir, 'landscape-2d.svg'),
    contourSvg(runs.map((r) => ({ title: r.label, alphas: r.alphas2d, loss: r.loss2d }))),
  );
  await writeHeatmap(
    join(outDir, 'landscape-2d.png'),
    runs.map((r) => r.loss2d),
  );
  return result;
}
