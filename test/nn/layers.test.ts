/**
 * Layers as thin owners of the functional forms: same results as nn.functional with the same
 * options, options kept as public fields, PyTorch's defaults. (Their numbers against PyTorch
 * are checked in test/models, inside whole blocks and networks, and in batchnorm/init tests.)
 */
import { describe, expect, it } from 'vitest';

import { ArgumentError, nn, noGrad, randn, tensor, type Tensor } from '../../lib/index.js';

const F = nn.functional;
const same = (a: Tensor, b: Tensor): void =>
  expect(Array.from(a.dataSync() as Float32Array)).toEqual(Array.from(b.dataSync() as Float32Array));

describe('layers', () => {
  it('Conv2d: options, shapes, functional equivalence, validation', () => {
    const conv = new nn.Conv2d(4, 6, [3, 1], { stride: 2, padding: [1, 0], dilation: 1, groups: 2 });
    expect([conv.kernelSize, conv.stride, conv.padding, conv.dilation, conv.groups]).toEqual([
      [3, 1],
      [2, 2],
      [1, 0],
      [1, 1],
      2,
    ]);
    expect(conv.weight.shape).toEqual([6, 2, 3, 1]);
    const x = randn([2, 4, 7, 5]);
    same(
      conv.forward(x),
      F.conv2d(x, conv.weight, { bias: conv.bias, stride: 2, padding: [1, 0], groups: 2 }),
    );
    expect(new nn.Conv2d(1, 1, 1, { bias: false }).bias).toBeNull();
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/divisible by groups/);
    expect(() => new nn.Conv2d(3, 4, 0)).toThrow(ArgumentError);
  });

  it('Linear, ReLU (in place or not), Identity, Flatten', () => {
    const lin = new nn.Linear(5, 3);
    const x = randn([4, 5]);
    same(lin.forward(x), F.linear(x, lin.weight, lin.bias));
    const y = tensor([-1, 2, -3]);
    expect(Array.from(new nn.ReLU().forward(y).dataSync() as Float32Array)).toEqual([0, 2, 0]);
    expect(Array.from(y.dataSync() as Float32Array)).toEqual([-1, 2, -3]);
    expect(new nn.ReLU({ inplace: true }).forward(y)).toBe(y);
    expect(Array.from(y.dataSync() as Float32Array)).toEqual([0, 2, 0]);
    expect(new nn.Identity().forward(y)).toBe(y);
    expect(new nn.Flatten().forward(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new nn.Flatten(0, 2).forward(randn([2, 3, 4, 5])).shape).toEqual([24, 5]);
  });

  it('pooling layers: stride defaults to the kernel size', () => {
    const x = randn([2, 3, 9, 8]);
    const mp = new nn.MaxPool2d(3, { padding: 1 });
    expect(mp.stride).toEqual([3, 3]);
    same(mp.forward(x), F.maxPool2d(x, 3, { padding: 1 }));
    const mp2 = new nn.MaxPool2d(2, { stride: 1, ceilMode: true, dilation: 2 });
    same(mp2.forward(x), F.maxPool2d(x, 2, { stride: 1, ceilMode: true, dilation: 2 }));
    const ap = new nn.AvgPool2d([2, 3], { countIncludePad: false, padding: 1 });
    same(ap.forward(x), F.avgPool2d(x, [2, 3], { countIncludePad: false, padding: 1 }));
    const gap = new nn.AdaptiveAvgPool2d(1);
    expect(gap.outputSize).toEqual([1, 1]);
    same(gap.forward(x), x.mean([2, 3], true));
  });

  it('Dropout: identity in eval; in training zeroes about p and scales the kept by 1/(1-p)', () => {
    const p = 0.25;
    const d = new nn.Dropout(p);
    const x = randn([100, 100]).abs().add(1); // no zeros of its own, so a zero was dropped
    const input = Array.from(x.dataSync() as Float32Array);
    expect(Array.from(noGrad(() => d.eval().forward(x)).dataSync() as Float32Array)).toEqual(input);
    const out = Array.from(d.train().forward(x).dataSync() as Float32Array);
    expect(out).toHaveLength(input.length);
    const kept = out.flatMap((v, i) => (v === 0 ? [] : [[v, input[i]!] as const]));
    const dropped = 1 - kept.length / input.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.3);
    // Each kept element is its input times 1/(1-p), to float32 rounding.
    const worst = Math.max(...kept.map(([v, u]) => Math.abs(v - u / (1 - p)) / (u / (1 - p))));
    expect(worst).toBeLessThan(2 ** -22);
    expect(() => new nn.Dropout(1.5)).toThrow(ArgumentError);
  });

  it('Sequential: named 0, 1, …; iterable; at(); append; replaced children are used', () => {
    const a = new nn.Linear(3, 3);
    const seq = new nn.Sequential(a, new nn.ReLU());
    expect(seq.length).toBe(2);
    expect([...seq]).toEqual(seq.children());
    expect(seq.at(0)).toBe(a);
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    expect(() => seq.at(2)).toThrow(ArgumentError);
    seq.append(new nn.Flatten());
    expect(seq.namedChildren().map(([k]) => k)).toEqual(['0', '1', '2']);
    const x = randn([2, 3]);
    seq.registerModule('1', new nn.Identity());
    same(seq.forward(x), a.forward(x));
  });
});
