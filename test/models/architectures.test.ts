/**
 * Structure of every architecture against PyTorch: state-dict keys in order with their shapes,
 * and parameter counts, for torchvision's ten factories and the CIFAR networks (options A, B
 * and plain). Plus the options that change the structure and the ones that are refused.
 */
import { describe, expect, it } from 'vitest';

import { ArgumentError, manualSeed, memory, nn, randn, noGrad, type Tensor } from '../../lib/index.js';
import * as models from '../../lib/models/index.js';
import { loadReference as loadModelReference, tick, type Json } from '../helpers/reference.js';
import { buildModel, expectSameKeys } from './run_case.js';

const ref = await loadModelReference('archs');
const archs = ref.meta.architectures as Record<string, Json>;
const SLOW = 120_000;
const bytes = (t: Tensor): Buffer => {
  const v = t.dataSync() as ArrayBufferView;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
};

/** The counts torchvision documents (and the issue quotes); the reference must agree too. */
const DOCUMENTED: Record<string, number> = {
  resnet18: 11_689_512,
  resnet50: 25_557_032,
  resnet152: 60_192_808,
};

describe('torchvision architectures: keys, order, shapes, parameter counts', () => {
  const factories = models as unknown as Record<string, () => nn.Module>;
  for (const [name, arch] of Object.entries(archs).filter(
    ([n]) => !n.includes('_A') && !n.includes('_B') && !n.includes('_plain'),
  )) {
    it(
      `${name}()`,
      async () => {
        await tick();
        const model = factories[name]!();
        try {
          expectSameKeys(model, arch.keys);
          expect(model.numParameters()).toBe(arch.numParameters);
          if (DOCUMENTED[name] !== undefined) expect(model.numParameters()).toBe(DOCUMENTED[name]);
        } finally {
          model.dispose();
        }
      },
      SLOW,
    );
  }
});

describe('CIFAR networks (He et al. 2015, section 4.2)', () => {
  for (const [name, arch] of Object.entries(archs).filter(([n]) => /_(A|B|plain)$/.test(n))) {
    it(
      `${arch.factory}(${JSON.stringify(arch.options)})`,
      async () => {
        await tick();
        const model = buildModel({ kind: 'cifar', ...arch });
        try {
          expectSameKeys(model, arch.keys);
          expect(model.numParameters(), name).toBe(arch.numParameters);
        } finally {
          model.dispose();
        }
      },
      SLOW,
    );
  }

  it('resnet20 with option A totals 0.27M parameters, as Table 6 of the paper', () => {
    const model = models.resnet20();
    expect(model.numParameters()).toBe(archs['resnet20_A'].numParameters);
    expect(Math.round(model.numParameters() / 1e4) / 100).toBe(0.27);
    model.dispose();
  });

  it('option A adds no parameters over the plain network; option B adds the two projections', () => {
    expect(archs['resnet20_A'].numParameters).toBe(archs['resnet20_plain'].numParameters);
    expect(archs['resnet20_B'].numParameters).toBeGreaterThan(archs['resnet20_A'].numParameters);
  });

  it('has 6n+2 weighted layers over 32/16/8 maps with 16/32/64 filters', () => {
    const model = models.resnet56();
    expect(model.depth).toBe(56);
    const convs = model.modules().filter((m) => m instanceof nn.Conv2d) as nn.Conv2d[];
    const linears = model.modules().filter((m) => m instanceof nn.Linear);
    expect(convs.length + linears.length).toBe(56);
    const shapes = shapesAfterStages(model, randn([2, 3, 32, 32]), ['layer1', 'layer2', 'layer3']);
    expect(shapes).toEqual([
      [2, 16, 32, 32],
      [2, 32, 16, 16],
      [2, 64, 8, 8],
    ]);
    model.dispose();
  });

  it('zeroInitResidual starts each block as its shortcut: only bn2 weights are zero, and plain nets refuse it', () => {
    manualSeed(3);
    const plain = models.resnet20().stateDict();
    manualSeed(3);
    const zeroed = models.resnet20({ zeroInitResidual: true }).stateDict();
    const names = Object.keys(zeroed).filter((k) => !bytes(zeroed[k]!).equals(bytes(plain[k]!)));
    expect(names).toEqual(Object.keys(plain).filter((k) => /\.bn2\.weight$/.test(k)));
    expect(names).toHaveLength(9);
    for (const k of names)
      expect([...(zeroed[k]!.dataSync() as Float32Array)].every((v) => v === 0)).toBe(true);
    expect(() => models.resnet20({ plain: true, zeroInitResidual: true })).toThrow(ArgumentError);
  });
});

function shapesAfterStages(model: nn.Module, x: Tensor, stages: string[]): number[][] {
  const out: number[][] = [];
  noGrad(() => {
    model.eval();
    const children = model.namedChildren();
    let t = x;
    for (const [name, child] of children) {
      if (name === 'avgpool') break;
      t = child.forward(t);
      if (stages.includes(name)) out.push([...t.shape]);
    }
  });
  return out;
}

describe('ResNet options', () => {
  it('inChannels changes only the stem', () => {
    const model = models.resnet18({ inChannels: 1, numClasses: 7 });
    const sd = model.stateDict();
    expect(sd['conv1.weight']!.shape).toEqual([64, 1, 7, 7]);
    expect(sd['fc.weight']!.shape).toEqual([7, 512]);
    const y = noGrad(() => model.eval().forward(randn([2, 1, 37, 53])));
    expect(y.shape).toEqual([2, 7]);
    model.dispose();
  });

  it('replaceStrideWithDilation keeps the resolution of the dilated stages', () => {
    const model = new models.ResNet(models.Bottleneck, [1, 1, 1, 1], {
      replaceStrideWithDilation: [false, true, true],
    });
    const shapes = shapesAfterStages(model, randn([1, 3, 64, 64]), ['layer1', 'layer2', 'layer3', 'layer4']);
    expect(shapes).toEqual([
      [1, 256, 16, 16],
      [1, 512, 8, 8],
      [1, 1024, 8, 8],
      [1, 2048, 8, 8],
    ]);
    const block = model.layer4.at(0) as models.Bottleneck;
    expect(block.conv2.dilation).toEqual([2, 2]);
    expect(block.conv2.stride).toEqual([1, 1]);
    model.dispose();
  });

  it('zeroInitResidual zeroes the last BN weight of every block, and only that', () => {
    for (const [factory, last, blocks] of [
      ['resnet18', 'bn2', 8],
      ['resnet50', 'bn3', 16],
    ] as const) {
      // Same seed with and without the option: BN weights start at 1 without drawing random
      // numbers, so every other tensor must come out identical.
      manualSeed(17);
      const plain = models[factory]().stateDict();
      manualSeed(17);
      const zeroed = models[factory]({ zeroInitResidual: true }).stateDict();
      expect(Object.keys(zeroed)).toEqual(Object.keys(plain));
      const isLast = new RegExp(`^layer\\d\\.\\d+\\.${last}\\.weight$`);
      const lastKeys = Object.keys(zeroed).filter((k) => isLast.test(k));
      expect(lastKeys).toHaveLength(blocks);
      for (const [key, t] of Object.entries(zeroed)) {
        const want = isLast.test(key) ? plain[key]!.mul(0) : plain[key]!;
        expect(bytes(t).equals(bytes(want)), key).toBe(true);
      }
      for (const key of lastKeys) expect(plain[key]!.min().item(), key).toBe(1);
    }
  });

  it('Bottleneck puts the stride on the 3×3 conv2; 1×1 convs have no padding; convs have no bias', () => {
    const model = models.resnet50();
    const block = model.layer2.at(0) as models.Bottleneck;
    expect([block.conv1.stride, block.conv2.stride, block.conv3.stride]).toEqual([
      [1, 1],
      [2, 2],
      [1, 1],
    ]);
    expect([block.conv1.padding, block.conv2.padding, block.conv3.padding]).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(block.conv2.kernelSize).toEqual([3, 3]);
    const down = block.downsample as nn.Sequential;
    expect((down.at(0) as nn.Conv2d).stride).toEqual([2, 2]);
    expect(
      model
        .modules()
        .filter((m) => m instanceof nn.Conv2d)
        .every((c) => (c as nn.Conv2d).bias === null),
    ).toBe(true);
    expect((model.layer1.at(1) as models.Bottleneck).downsample).toBeNull();
    model.dispose();
  });

  it('forward keeps no intermediate tensor alive (only its output), in eval and in training', () => {
    for (const [model, x] of [
      [models.resnet18({ numClasses: 10 }), randn([2, 3, 37, 53])],
      [models.resnet20({ shortcut: 'A' }), randn([2, 3, 32, 32])],
    ] as const) {
      // Garbage of earlier tests, freed by a collection during the forward, would count.
      globalThis.gc?.();
      let before = memory().liveTensors;
      const y = noGrad(() => model.eval().forward(x));
      expect(memory().liveTensors - before).toBe(1);
      globalThis.gc?.();
      before = memory().liveTensors;
      const z = model.train().forward(x);
      expect(memory().liveTensors - before).toBe(1);
      for (const t of [x, y, z]) t.dispose();
      model.dispose();
    }
  });

  it('refuses what torchvision refuses', () => {
    expect(() => models.resnext50_32x4d({ groups: 8 })).toThrow(/groups/);
    expect(() => new models.BasicBlock(64, 64, { groups: 2 })).toThrow(ArgumentError);
    expect(() => new models.BasicBlock(64, 64, { dilation: 2 })).toThrow(/Dilation/);
    expect(() => new models.ResNet(models.BasicBlock, [2, 2, 2])).toThrow(/layers/);
    expect(() => models.resnet18({ replaceStrideWithDilation: [true] as never })).toThrow(
      /replaceStrideWithDilation/,
    );
    expect(() => models.resnet20({ shortcut: 'C' as never })).toThrow(/shortcut/);
    // Repeating a factory's fixed value is allowed, as in torchvision.
    const ok = models.resnext50_32x4d({ groups: 32, numClasses: 3 });
    expect(ok.groups).toBe(32);
    ok.dispose();
  });
});
