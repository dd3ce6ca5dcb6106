/**
 * nn.init and the default initialization of Conv2d and Linear against PyTorch: after the same
 * manual seed, the same numbers (the draws go through the same libtorch generator), and the
 * same gains and fans.
 */
import { describe, expect, it } from 'vitest';

import { ArgumentError, empty, manualSeed, nn, zeros, type Tensor } from '../../lib/index.js';
import { loadReference, type Json } from '../helpers/reference.js';

const init = nn.init;
const ref = await loadReference('init');
const data = ref.meta.initFunctions as Json;

const values = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

/** PyTorch's keyword arguments as the TypeScript call takes them. */
function apply(fn: string, t: Tensor, kw: Json): Tensor {
  switch (fn) {
    case 'kaimingNormal_':
    case 'kaimingUniform_':
      return init[fn](t, kw);
    case 'xavierUniform_':
    case 'xavierNormal_':
      return init[fn](t, kw.gain);
    case 'uniform_':
      return init.uniform_(t, kw.a, kw.b);
    case 'normal_':
      return init.normal_(t, kw.mean, kw.std);
    case 'constant_':
      return init.constant_(t, kw.val);
    default:
      throw new Error(`no runner for ${fn}`);
  }
}

describe('nn.init against torch.nn.init', () => {
  for (const c of data.fns as Json[]) {
    it(`${c.fn}(${JSON.stringify(c.kwargs)}) after manualSeed(${c.seed})`, () => {
      manualSeed(c.seed);
      const t = empty(c.shape);
      expect(apply(c.fn, t, c.kwargs)).toBe(t);
      expect(values(t)).toEqual(c.values);
      expect(t.requiresGrad).toBe(false);
    });
  }

  it('calculateGain', () => {
    for (const [name, gain] of Object.entries(data.gains as Record<string, number>)) {
      const [nl, param] = name.split(':');
      expect(
        init.calculateGain(
          nl as Parameters<typeof init.calculateGain>[0],
          param === undefined ? undefined : Number(param),
        ),
        name,
      ).toBe(gain);
    }
    expect(() => init.calculateGain('gelu' as never)).toThrow(ArgumentError);
  });

  it('fans as _calculate_fan_in_and_fan_out', () => {
    for (const { shape, fans } of data.fans as Json[]) {
      expect(init.calculateFanInAndFanOut(zeros(shape))).toEqual(fans);
    }
    expect(() => init.calculateFanInAndFanOut(zeros([5]))).toThrow(/fewer than 2 dimensions/);
  });

  it('works on parameters that require grad without recording a graph', () => {
    const w = zeros([4, 3]).requiresGrad_();
    init.kaimingNormal_(w);
    expect(w.isLeaf).toBe(true);
    expect(w.grad).toBeNull();
  });

  it('leaves zero-element tensors alone and has the PyTorch spellings', () => {
    expect(init.kaimingUniform_(zeros([0, 3]))!.shape).toEqual([0, 3]);
    expect(init.kaiming_normal_).toBe(init.kaimingNormal_);
    expect(init.kaiming_uniform_).toBe(init.kaimingUniform_);
    expect(init.xavier_uniform_).toBe(init.xavierUniform_);
    expect(() => init.kaimingNormal_(zeros([2, 2]), { mode: 'fanAll' as never })).toThrow(/mode/);
  });
});

describe('default layer initialization against PyTorch', () => {
  for (const c of data.layers as Json[]) {
    it(`${c.kind}(${c.args.map((a: unknown) => JSON.stringify(a)).join(', ')}, ${JSON.stringify(c.options)})`, () => {
      manualSeed(c.seed);
      const layer =
        c.kind === 'Conv2d'
          ? new nn.Conv2d(c.args[0], c.args[1], c.args[2], c.options)
          : new nn.Linear(c.args[0], c.args[1], c.options);
      const sd = layer.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(c.state));
      for (const [k, t] of Object.entries(sd)) expect(values(t), k).toEqual(c.state[k]);
    });
  }
});
