/**
 * model.summary(): totals of every torchvision architecture against PyTorch's own count (Debian's
 * torchvision, forward hooks on Conv2d/Linear in scripts/gen_summary_reference.py), per-layer
 * output shapes and MACs of resnet50 and resnext50_32x4d, the bottleneck comparison, and the
 * model left as it was.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, resnet20, tensor, type ModelSummary } from '../../lib/index.js';
import * as models from '../../lib/models/index.js';
import { Bottleneck, type ResNet } from '../../lib/models/index.js';
import { loadReference, tick, type Json } from '../helpers/reference.js';

const ref = await loadReference('summary');
const archs = ref.meta.architectures as Record<string, Json>;
const build = (name: string) => (models as unknown as Record<string, () => ResNet>)[name]!();
/** One summary per detailed architecture, shared by the tests below (each costs a 224² forward). */
const kept = new Map<string, [ResNet, ModelSummary]>();
const summaryOf = (name: string): [ResNet, ModelSummary] => {
  if (!kept.has(name)) {
    const model = build(name);
    kept.set(name, [model, model.summary([1, 3, 224, 224])]);
  }
  return kept.get(name)!;
};
// The forwards are synchronous: let vitest's RPC through between tests.
beforeEach(tick);

describe('model.summary', () => {
  it('is checked against all ten architectures of the family', () => {
    expect(Object.keys(archs).sort()).toEqual(
      ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d',
        'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2'].sort(),
    ); // prettier-ignore
  });

  for (const name of Object.keys(archs)) {
    it(`${name}: total parameters and MACs at 224² equal PyTorch's count`, { timeout: 240_000 }, () => {
      const detailed = name === 'resnet50' || name === 'resnext50_32x4d';
      const [model, s] = detailed
        ? summaryOf(name)
        : ((m) => [m, m.summary([1, 3, 224, 224])] as const)(build(name));
      expect(s.totalParameters).toBe(archs[name].parameters);
      expect(s.trainableParameters).toBe(archs[name].parameters);
      expect(s.totalMacs).toBe(archs[name].macs);
      expect(s.rows[0]!.outputShape).toEqual([1, 1000]);
      if (!detailed) model.dispose();
    });
  }

  it('prints resnet50 as 25,557,032 parameters and 4.09 GMACs', { timeout: 120_000 }, () => {
    const text = String(summaryOf('resnet50')[1]);
    expect(text).toContain('Total params: 25,557,032');
    expect(text).toContain('Total mult-adds (G): 4.09');
    expect(text).toMatch(/└─Bottleneck: layer1\.0 +\[1, 256, 56, 56\] +75,008 +231,211,008/);
  });

  for (const name of ['resnet50', 'resnext50_32x4d']) {
    it(`${name}: every leaf layer's output shape and MACs equal PyTorch's`, { timeout: 120_000 }, () => {
      const [, s] = summaryOf(name);
      const layers = archs[name].layers as Record<string, { shape: number[]; macs: number }>;
      const leaves = s.rows.filter((r) => r.leaf);
      // torchvision's hooks fire once per module; ReLU is shared within a block, so compare first calls.
      const first = new Map<string, (typeof leaves)[number]>();
      for (const r of leaves) if (!first.has(r.name)) first.set(r.name, r);
      expect([...first.keys()].sort()).toEqual(Object.keys(layers).sort());
      for (const [n, r] of first) {
        if (n.endsWith('relu')) continue; // PyTorch's hook saw the block's last call; ours is the first
        expect({ n, shape: r.outputShape, macs: r.macs }).toEqual({
          n,
          shape: layers[n]!.shape,
          macs: layers[n]!.macs,
        });
      }
    });
  }

  it('shows where the bottleneck 1×1 convolutions save against two 3×3 ones', { timeout: 120_000 }, () => {
    const [model, s] = summaryOf('resnet50');
    const blocks = model.namedModules().filter(([, m]) => m instanceof Bottleneck);
    expect(s.bottlenecks.map((b) => b.name)).toEqual(blocks.map(([n]) => n));
    for (const b of s.bottlenecks) {
      const m = model.getSubmodule(b.name) as Bottleneck;
      const own = [m.conv1, m.conv2, m.conv3].map((c) => c.weight.numel());
      expect(b.convParameters).toEqual(own);
      expect(b.twoConv3x3Parameters).toBe(9 * b.inChannels * b.outChannels + 9 * b.outChannels ** 2);
      expect(b.twoConv3x3Parameters).toBeGreaterThan(10 * own.reduce((x, y) => x + y));
    }
    // The paper's 256-d example (Figure 5): 1×1 64, 3×3 64, 1×1 256 is 69,632 weights.
    expect(s.bottlenecks.find((b) => b.name === 'layer1.1')!.convParameters).toEqual([16384, 36864, 16384]);
    expect(s.format()).toContain('two 3×3');
  });

  it('leaves modes, running statistics and forward as they were', () => {
    const model = resnet20();
    model.train();
    const before = model.getBuffer('bn1.running_mean').dataSync().slice();
    const batches = model.getBuffer('bn1.num_batches_tracked').item();
    model.summary([2, 3, 32, 32]);
    expect(model.training).toBe(true);
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(model.getBuffer('bn1.running_mean').dataSync()).toEqual(before);
    expect(model.getBuffer('bn1.num_batches_tracked').item()).toBe(batches);
    expect(Object.hasOwn(model, 'forward')).toBe(false);
    const y = model.forward(tensor(new Float32Array(3 * 32 * 32), { shape: [1, 3, 32, 32] }));
    expect(y.shape).toEqual([1, 10]);
  });

  it('counts the batch: MACs scale with N, parameters do not', () => {
    const model = resnet20();
    const one = model.summary([1, 3, 32, 32]);
    const four = model.summary([4, 3, 32, 32]);
    expect(four.totalMacs).toBe(4 * one.totalMacs);
    expect(four.totalParameters).toBe(one.totalParameters);
    expect(one.totalParameters).toBe(model.numParameters());
  });

  it('refuses a bad input shape with a clear error', () => {
    const model = resnet20();
    expect(() => model.summary([1, -3, 32, 32])).toThrow(ArgumentError);
    expect(() => model.summary('1x3' as unknown as number[])).toThrow(/inputShape/);
  });
});
