/**
 * `experiment responses` and `experiment landscape` on tiny networks: the measured stds equal a
 * hand-run forward, the slices' points equal eager losses at the moved weights, directions are
 * filter-normalized, weights come back unchanged, and the plots are well-formed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { filterNormalizedDirection, moveTo, snapshot } from '../../lib/experiments/directions.js';
import { runLandscape, sliceNet } from '../../lib/experiments/landscape.js';
import { buildNet, netLabel, netName, type NetSpec } from '../../lib/experiments/nets.js';
import { measureResponses, responseChecks, runResponses } from '../../lib/experiments/responses.js';
import { parseWeightsArg, type TrainedNet } from '../../lib/experiments/trained.js';
import { ArgumentError, manualSeed, noGrad, randn, tensor } from '../../lib/index.js';
import { crossEntropy } from '../../lib/nn/functional.js';
import { renderSvg } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-studies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const net = (kind: NetSpec['kind'], depth: number, seed = 1): TrainedNet => {
  manualSeed(seed);
  const spec = { kind, depth, weights: '' };
  const model = buildNet(spec, { inChannels: 1, numClasses: 10 });
  model.eval();
  return { spec, name: netName(spec), label: netLabel(spec), model };
};
manualSeed(7);
const input = randn([16, 1, 28, 28]);
const target = tensor(new BigInt64Array(Array.from({ length: 16 }, (_, i) => BigInt(i % 10))));
const eagerLoss = (n: TrainedNet) => noGrad(() => crossEntropy(n.model.forward(input), target).item());

describe('experiment responses', () => {
  it("measures every 3×3 layer's output after BN, before ReLU and addition", () => {
    const n = net('resnet', 8);
    const r = measureResponses(n, input);
    expect(r.layers.map((l) => l.name)).toEqual([
      'bn1',
      'layer1.0.bn1',
      'layer1.0.bn2',
      'layer2.0.bn1',
      'layer2.0.bn2',
      'layer3.0.bn1',
      'layer3.0.bn2',
    ]);
    // By hand: the stem's BN output, and the first block's bn1 output (before its ReLU).
    const m = n.model;
    const [stem, block] = noGrad(() => {
      const s = m.getSubmodule('bn1').forward(m.getSubmodule('conv1').forward(input));
      const stemStd = s.std(undefined, { unbiased: false }).item();
      const b = m.getSubmodule('layer1.0.bn1').forward(m.getSubmodule('layer1.0.conv1').forward(s.relu()));
      return [stemStd, b.std(undefined, { unbiased: false }).item()];
    });
    expect(r.layers[0]!.std).toBeCloseTo(stem!, 5);
    expect(r.layers[1]!.std).toBeCloseTo(block!, 5);
    expect(r.meanStd).toBeCloseTo(r.layers.reduce((a, l) => a + l.std, 0) / 7, 12);
  });

  it(
    'writes the JSON and the Figure 7 SVG, and compares kinds at equal depth',
    { timeout: 60_000 },
    async () => {
      const nets = [net('plain', 8), net('plain', 14), net('resnet', 8), net('resnet', 14)];
      const result = await runResponses(nets, input, dir);
      expect(result.runs.map((r) => r.layers.length)).toEqual([7, 13, 7, 13]);
      expect(Object.keys(result.checks)).toEqual(['resnet8BelowPlain8', 'resnet14BelowPlain14']);
      expect(result.checks['resnet8BelowPlain8']).toBe(result.runs[2]!.meanStd < result.runs[0]!.meanStd);
      expect(JSON.parse(readFileSync(join(dir, 'responses.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(result)),
      );
      const svg = readFileSync(join(dir, 'responses.svg'), 'utf8');
      expect(await renderSvg(svg)).toEqual({ width: 760, height: 560 });
      expect(svg.match(/<polyline/g)).toHaveLength(8); // 4 nets × (layer order, sorted)
      expect(responseChecks(result.runs.slice(0, 2))).toEqual({});
    },
  );

  it('names weights by kind and depth', () => {
    expect(parseWeightsArg('plain56=a/b.safetensors')).toMatchObject({ kind: 'plain', depth: 56 });
    expect(() => parseWeightsArg('resnet50=x')).not.toThrow();
    expect(() => parseWeightsArg('vgg16=x')).toThrow(ArgumentError);
    expect(() => parseWeightsArg('plain20')).toThrow(/NAME=FILE.*plain20/);
  });
});

describe('experiment landscape', () => {
  it('draws filter-normalized directions: each filter as long as the trained one, BN and biases zero', () => {
    const n = net('plain', 8);
    manualSeed(0);
    const d = filterNormalizedDirection(n.model);
    for (const [name, p] of n.model.namedParameters()) {
      const t = d.get(name)!;
      expect(t.shape).toEqual(p.shape);
      if (p.ndim === 1) expect(t.abs().max().item()).toBe(0);
      else {
        const dims = p.shape.map((_, i) => i).slice(1);
        const a = p.norm(2, dims).dataSync();
        const b = t.norm(2, dims).dataSync();
        a.forEach((v, i) => expect(Number(b[i])).toBeCloseTo(Number(v), 4));
      }
    }
  });

  it(
    'evaluates θ + αδ + βη off the JavaScript thread, equal to eager losses, and restores θ',
    { timeout: 120_000 },
    async () => {
      const n = net('resnet', 8);
      const before = n.model.parameters().map((p) => p.dataSync().slice());
      const center = eagerLoss(n);
      const o = { range: 0.5, points1d: 3, points2d: 3, seed: 4 };
      const run = await sliceNet(n, input, target, o);
      expect(run.alphas1d).toEqual([-0.5, 0, 0.5]);
      expect(run.loss1d[1]).toBeCloseTo(center, 4);
      expect(run.loss2d[1]![1]).toBeCloseTo(center, 4);
      n.model.parameters().forEach((p, i) => expect(p.dataSync()).toEqual(before[i]));
      // The corner (α, β) = (0.5, -0.5), recomputed eagerly from the same directions.
      manualSeed(4);
      const theta = snapshot(n.model);
      const dirs = [filterNormalizedDirection(n.model), filterNormalizedDirection(n.model)];
      moveTo(n.model, theta, dirs, [0.5, -0.5]);
      expect(run.loss2d[0]![2]).toBeCloseTo(eagerLoss(n), 4);
      expect(run.loss1d[2]).not.toBeCloseTo(center, 2);
      moveTo(n.model, theta, dirs, [0, 0]);
    },
  );

  it('writes the JSON, the 1-D and contour SVGs and the heat-map PNG', { timeout: 120_000 }, async () => {
    const nets = [net('plain', 8), net('resnet', 8)];
    const o = { range: 1, points1d: 5, points2d: 4, seed: 0 };
    const result = await runLandscape(nets, input, target, o, dir);
    expect(result.runs.map((r) => [r.loss1d.length, r.loss2d.length, r.loss2d[0]!.length])).toEqual([
      [5, 4, 4],
      [5, 4, 4],
    ]);
    expect(Object.keys(result.checks)).toEqual(['plain8RougherThanResnet8']);
    for (const r of result.runs) expect(r.loss2d.flat().every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'landscape.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(result)),
    );
    await renderSvg(readFileSync(join(dir, 'landscape-1d.svg')));
    const contour = readFileSync(join(dir, 'landscape-2d.svg'), 'utf8');
    await renderSvg(contour);
    expect(contour).toContain('<path d="M');
    const png = await sharp(join(dir, 'landscape-2d.png')).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 4 * 24 * 2 + 16, 4 * 24]);
  });
});
