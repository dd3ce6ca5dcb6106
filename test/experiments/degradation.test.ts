/**
 * `experiment degradation` with a tiny budget: the JSON's shape and values, the Figure 6 SVG,
 * reuse of finished runs, and the paper's checks on known numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  degradationChecks,
  runDegradation,
  schedule,
  type DegradationOptions,
  type DegradationRun,
} from '../../lib/experiments/degradation.js';
import { figure6Svg } from '../../lib/experiments/figure6.js';
import { blocksOf, netGrid } from '../../lib/experiments/nets.js';
import { degradationOptions } from '../../lib/cli/experiment.js';
import { ArgumentError, ones } from '../../lib/index.js';
import { SGD } from '../../lib/optim/sgd.js';
import { renderSvg } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-degradation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options: DegradationOptions = {
  dataset: 'fashion-mnist', depths: [14, 8], trainSize: 128, testSize: 50, epochs: 2, batchSize: 32,
  lr: 0.05, momentum: 0.9, weightDecay: 1e-4, schedule: 'cosine', augment: false, seed: 3, outDir: dir,
}; // prettier-ignore

describe('experiment degradation', () => {
  it(
    'trains plain and residual nets of each depth and writes the JSON and the Figure 6 SVG',
    { timeout: 300_000 },
    async () => {
      const result = await runDegradation(options);
      expect(result.runs.map((r) => r.name)).toEqual(['plain8', 'plain14', 'resnet8', 'resnet14']);
      expect(result.iterationsPerEpoch).toBe(4);
      for (const r of result.runs) {
        expect(r.history.map((p) => [p.epoch, p.iteration])).toEqual([
          [1, 4],
          [2, 8],
        ]);
        for (const p of r.history) {
          for (const e of [p.trainError, p.testError]) {
            expect(e).toBeGreaterThanOrEqual(0);
            expect(e).toBeLessThanOrEqual(1);
          }
          expect(Number.isFinite(p.trainLoss) && Number.isFinite(p.testLoss)).toBe(true);
          // errors are whole images out of 128 training / 50 test
          expect(Math.round(p.trainError * 128) / 128).toBeCloseTo(p.trainError, 12);
          expect(Math.round(p.testError * 50) / 50).toBeCloseTo(p.testError, 12);
        }
        // measured after training on all 128 training images, in eval mode
        const f = r.final!;
        expect(Math.round(f.trainError * 128) / 128).toBeCloseTo(f.trainError, 12);
        expect(Number.isFinite(f.trainLoss) && f.trainLoss > 0).toBe(true);
      }
      // Option-A shortcuts have no parameters: plain and residual nets of a depth are the same size.
      expect(result.runs[0]!.parameters).toBe(result.runs[2]!.parameters);
      const json = JSON.parse(readFileSync(join(dir, 'degradation.json'), 'utf8'));
      expect(json).toEqual(JSON.parse(JSON.stringify(result)));
      expect(Object.keys(json.checks).sort()).toEqual([
        'plainDeeperHasHigherTrainError',
        'resnetDeeperHasLowerOrEqualTrainError',
      ]);
      const svg = readFileSync(join(dir, 'degradation.svg'), 'utf8');
      expect(await renderSvg(svg)).toEqual({ width: 840, height: 300 });
      expect(svg).toContain('plain-14 train');
      expect(svg).toContain('ResNet-8 test');
      expect(svg.match(/<polyline/g)).toHaveLength(8);
      for (const r of result.runs)
        expect(readFileSync(r.weights).byteLength).toBeGreaterThan(4 * r.parameters);

      // The same command again reuses every finished run instead of training.
      const t0 = performance.now();
      const again = await runDegradation(options);
      expect(performance.now() - t0).toBeLessThan(20_000);
      expect(again.runs).toEqual(result.runs);
      // Other options train again (the finished runs do not match).
      const other = await runDegradation({ ...options, depths: [8], only: ['plain8'], epochs: 1 });
      expect(other.runs[0]!.history).toHaveLength(1);
    },
  );

  it("states the paper's two claims from the final training errors", () => {
    const run = (kind: 'plain' | 'resnet', depth: number, trainError: number): DegradationRun => ({
      name: `${kind}${depth}`, label: `${kind}-${depth}`, kind, depth, parameters: 1, weights: '',
      history: [{ epoch: 1, iteration: 1, trainError, testError: 0.5, trainLoss: 1, testLoss: 1, seconds: 1 }],
    }); // prettier-ignore
    expect(degradationChecks([run('plain', 20, 0.1), run('plain', 56, 0.2), run('resnet', 20, 0.1), run('resnet', 56, 0.05)])).toEqual({
      plainDeeperHasHigherTrainError: true, resnetDeeperHasLowerOrEqualTrainError: true,
    }); // prettier-ignore
    expect(degradationChecks([run('plain', 56, 0.1), run('plain', 20, 0.2), run('resnet', 20, 0.1), run('resnet', 56, 0.3)])).toEqual({
      plainDeeperHasHigherTrainError: false, resnetDeeperHasLowerOrEqualTrainError: false,
    }); // prettier-ignore
    expect(degradationChecks([run('plain', 20, 0.1)])).toEqual({});
    // the training-subset error after training decides when it was measured
    const after = (r: DegradationRun, trainError: number): DegradationRun => ({
      ...r,
      final: { trainError, trainLoss: 1 },
    });
    expect(degradationChecks([after(run('resnet', 20, 0.1), 0.2), after(run('resnet', 56, 0.15), 0.1)])).toEqual({
      resnetDeeperHasLowerOrEqualTrainError: true,
    }); // prettier-ignore
    expect(
      figure6Svg({
        experiment: 'degradation',
        options: options,
        iterationsPerEpoch: 1,
        runs: [run('plain', 20, 0.1)],
        checks: {},
      }),
    ).toContain('plain-20 train');
  });

  it('warms up at lr/10 for the given iterations, then runs the schedule from the full rate', () => {
    const rates = (o: Partial<DegradationOptions>, iterations: number): number[] => {
      const p = ones([1], { requiresGrad: true });
      const opt = new SGD([p], { lr: 0.1 });
      const s = schedule({ ...options, ...o }, opt, iterations);
      const lrs: number[] = [];
      for (let i = 0; i < iterations; i++) {
        lrs.push(opt.paramGroups[0]!.options.lr); // the rate batch i trains with
        s.step();
      }
      p.dispose();
      return lrs;
    };
    const cosine = (k: number, n: number) => (0.1 * (1 + Math.cos((Math.PI * k) / n))) / 2;
    const warm = rates({ warmupIterations: 3 }, 10);
    warm.forEach((lr, i) => expect(lr).toBeCloseTo(i < 3 ? 0.01 : cosine(i - 3, 7), 12));
    rates({}, 10).forEach((lr, i) => expect(lr).toBeCloseTo(cosine(i, 10), 12));
    // the paper's ÷10 steps stay at 50% and 75% of all iterations, warm-up included
    const paper = rates({ schedule: 'paper', warmupIterations: 2 }, 16);
    expect(paper.map((lr) => +lr.toPrecision(6))).toEqual([
      ...Array(2).fill(0.01), ...Array(6).fill(0.1), ...Array(4).fill(0.01), ...Array(4).fill(0.001),
    ]); // prettier-ignore
  });

  it('defaults to the budget (lr scaled to its batch, a warm-up), or to the paper’s schedule under --paper', () => {
    const flags = { dataset: 'fashion-mnist' as const, depths: [20, 56], momentum: 0.9, weightDecay: 1e-4, paper: false, seed: 0, outputDir: dir }; // prettier-ignore
    const budget = degradationOptions(flags, 60_000);
    expect(budget).toMatchObject({
      trainSize: 2000,
      epochs: 9,
      batchSize: 64,
      schedule: 'cosine',
      augment: false,
      lr: 0.05,
    });
    expect(budget).toMatchObject({ warmupIterations: 31, warmupMode: 'linear' }); // one epoch of 2000 / 64
    expect(degradationOptions({ ...flags, warmup: 0 }, 60_000).warmupIterations).toBe(0);
    expect(degradationOptions({ ...flags, lr: 0.2 }, 60_000).lr).toBe(0.2);
    expect(degradationOptions({ ...flags, batchSize: 256 }, 60_000).lr).toBeCloseTo(0.2, 12);
    const paper = degradationOptions({ ...flags, paper: true }, 60_000);
    // 64k iterations of batch 128 on 60k images: 137 epochs of 468
    expect(paper).toMatchObject({ trainSize: undefined, epochs: 137, batchSize: 128, schedule: 'paper', augment: true, warmupIterations: 0, warmupMode: 'constant', lr: 0.1 }); // prettier-ignore
    expect(degradationOptions({ ...flags, paper: true, warmup: 400 }, 60_000).warmupIterations).toBe(400);
  });

  it('builds the grid of the paper and refuses depths that are not 6n+2', () => {
    expect(netGrid([56, 20]).map((s) => `${s.kind}${s.depth}`)).toEqual([
      'plain20',
      'plain56',
      'resnet20',
      'resnet56',
    ]);
    expect(blocksOf(56)).toBe(9);
    expect(() => blocksOf(21)).toThrow(ArgumentError);
    expect(() => blocksOf(21)).toThrow(/6n\+2.*21/);
  });
});
