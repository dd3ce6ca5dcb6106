/** nn.Module: registration, traversal, state dicts, modes, devices and lifetime. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  nn,
  noGrad,
  ones,
  randn,
  resnet18,
  resnet50,
  StateDictError,
  tensor,
  zeros,
  type Tensor,
} from '../../lib/index.js';

/** A module with every kind of entry: parameters (one null), buffers (one not persistent), children. */
class Net extends nn.Module {
  constructor() {
    super();
    this.registerParameter('scale', ones([3]));
    this.registerParameter('missing', null);
    this.registerBuffer('count', zeros([], { dtype: 'int64' }));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
    this.registerModule(
      'body',
      new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.BatchNorm2d(3), new nn.ReLU()),
    );
    this.registerModule('none', null);
    this.registerModule('head', new nn.Linear(3, 4));
  }
  forward(x: Tensor): Tensor {
    const h = this.getSubmodule('body')
      .forward(x)
      .mul(this.getParameter('scale').reshape([1, 3, 1, 1]));
    return this.getSubmodule('head').forward(h.mean([2, 3]));
  }
}

const KEYS = [
  'scale', 'count', 'body.0.weight', 'body.0.bias', 'body.1.weight', 'body.1.bias', 'body.1.running_mean',
  'body.1.running_var', 'body.1.num_batches_tracked', 'head.weight', 'head.bias',
]; // prettier-ignore

describe('registration', () => {
  it('refuses names that are empty, contain a dot, or are taken by another kind', () => {
    const m = new Net();
    expect(() => m.registerParameter('a.b', zeros([1]))).toThrow(ArgumentError);
    expect(() => m.registerBuffer('', zeros([1]))).toThrow(
      /Expected a non-empty string without '\.' for name but received "" of type string/,
    );
    expect(() => m.registerModule('x.y', new nn.Identity())).toThrow(ArgumentError);
    expect(() => m.registerBuffer('scale', zeros([1]))).toThrow(/already used by a parameter/);
    expect(() => m.registerParameter('body', zeros([1]))).toThrow(/already used by a module/);
    expect(() => m.registerModule('self', m)).toThrow(/cycle/);
    expect(() => m.getSubmodule('body').registerModule('up', m)).toThrow(/cycle/);
  });

  it('makes parameters trainable leaves; refuses integer and non-leaf tensors', () => {
    const m = new nn.Identity();
    expect(m.registerParameter('w', zeros([2])).requiresGrad).toBe(true);
    expect(m.registerParameter('frozen', zeros([2]), { requiresGrad: false }).requiresGrad).toBe(false);
    expect(() => m.registerParameter('i', zeros([2], { dtype: 'int64' }))).toThrow(/floating-point/);
    const nonLeaf = zeros([2]).requiresGrad_().mul(2);
    expect(() => m.registerParameter('n', nonLeaf)).toThrow(/leaf/);
  });
});

describe('traversal', () => {
  it('lists parameters, buffers, children and modules in registration order', () => {
    const m = new Net();
    expect(m.namedParameters().map(([k]) => k)).toEqual([
      'scale',
      'body.0.weight',
      'body.0.bias',
      'body.1.weight',
      'body.1.bias',
      'head.weight',
      'head.bias',
    ]);
    expect(m.namedBuffers().map(([k]) => k)).toEqual([
      'count',
      'scratch',
      'body.1.running_mean',
      'body.1.running_var',
      'body.1.num_batches_tracked',
    ]);
    expect(m.namedChildren().map(([k]) => k)).toEqual(['body', 'head']);
    expect(m.namedModules().map(([k]) => k)).toEqual(['', 'body', 'body.0', 'body.1', 'body.2', 'head']);
    expect(m.parameters()).toHaveLength(7);
    expect(m.numParameters()).toBe(3 + (2 * 3 * 9 + 3) + 6 + (3 * 4 + 4));
    expect(m.getParameter('body.0.weight').shape).toEqual([3, 2, 3, 3]);
    expect(m.getBuffer('body.1.running_var').shape).toEqual([3]);
    expect(() => m.getSubmodule('body.7')).toThrow(/no submodule "7"/);
    expect(() => m.getParameter('missing')).toThrow(/no parameter "missing"/);
  });

  it('counts a shared tensor or module once', () => {
    const shared = new nn.Linear(2, 2);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(seq.parameters()).toHaveLength(2);
    expect(seq.namedModules().map(([k]) => k)).toEqual(['', '0', '1']);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('apply visits children before their parent', () => {
    const seen: string[] = [];
    new Net().apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Conv2d', 'BatchNorm2d', 'ReLU', 'Sequential', 'Linear', 'Net']);
  });
});

describe('stateDict / loadStateDict', () => {
  it('keys: own parameters, own persistent buffers, then children; detached views of the same storage', () => {
    const m = new Net();
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual(KEYS);
    expect(sd['scale']!.requiresGrad).toBe(false);
    noGrad(() => m.getParameter('scale').fill_(7));
    expect(sd['scale']!.dataSync()[0]).toBe(7);
    expect(m.stateDict({ keepVars: true })['scale']).toBe(m.getParameter('scale'));
  });

  it('strict: one StateDictError listing every missing, unexpected and mis-shaped key; nothing copied', () => {
    const m = new Net();
    const sd = m.stateDict();
    delete sd['head.bias'];
    delete sd['body.0.weight'];
    sd['extra.weight'] = zeros([1]);
    sd['scale'] = zeros([5]);
    sd['count'] = tensor([9n]).reshape([]);
    let error: unknown;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/missing keys \(2\): "body\.0\.weight", "head\.bias"/);
    expect(msg).toMatch(/unexpected keys \(1\): "extra\.weight"/);
    expect(msg).toMatch(/"scale": the state dict has \[5\], the module \[3\]/);
    expect((error as StateDictError).problems).toEqual({
      missingKeys: ['body.0.weight', 'head.bias'],
      unexpectedKeys: ['extra.weight'],
      shapeMismatches: [{ key: 'scale', expected: [3], received: [5] }],
    });
    expect(m.getBuffer('count').item()).toBe(0);
  });

  it('non-strict: loads what matches and reports the rest', () => {
    const m = new Net();
    const sd = m.stateDict();
    delete sd['head.bias'];
    sd['extra'] = zeros([1]);
    sd['scale'] = zeros([5]);
    sd['count'] = tensor([9n]).reshape([]);
    const r = m.loadStateDict(sd, { strict: false });
    expect(r).toEqual({
      missingKeys: ['head.bias'],
      unexpectedKeys: ['extra'],
      shapeMismatches: [{ key: 'scale', expected: [3], received: [5] }],
    });
    expect(m.getBuffer('count').item()).toBe(9);
  });

  it('copies in place, converting dtype; accepts Maps; tolerates a missing num_batches_tracked as PyTorch', () => {
    const a = new Net();
    const b = new Net();
    const weight = b.getParameter('head.weight');
    const sd = new Map(
      Object.entries(a.stateDict()).map(([k, t]) => [k, t.dtype === 'float32' ? t.to('float64') : t]),
    );
    sd.delete('body.1.num_batches_tracked');
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [], shapeMismatches: [] });
    expect(b.getParameter('head.weight')).toBe(weight);
    expect(weight.dtype).toBe('float32');
    expect(Array.from(weight.dataSync() as Float32Array)).toEqual(
      Array.from(a.getParameter('head.weight').dataSync() as Float32Array),
    );
    expect(() => b.loadStateDict({ scale: [1, 2, 3] as never })).toThrow(/Tensor/);
  });
});

describe('modes, gradients, devices, lifetime', () => {
  it('train/eval reach every submodule', () => {
    const m = new Net();
    expect(m.eval()).toBe(m);
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(() => m.train('no' as never)).toThrow(ArgumentError);
  });

  it('zeroGrad sets every gradient to null', () => {
    const m = new Net();
    m.forward(randn([2, 2, 5, 5]))
      .sum()
      .backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('to(dtype) converts floating tensors only, in place, keeping identity, requiresGrad and sharing', () => {
    const shared = new nn.Linear(2, 2);
    const m = new nn.Sequential(shared, new nn.BatchNorm2d(2), shared);
    const old = shared.weight;
    m.to('float64');
    expect(shared.weight).toBe(old); // as PyTorch's param.data = ...: optimizers stay valid
    expect(shared.weight.dtype).toBe('float64');
    expect(shared.weight.requiresGrad).toBe(true);
    expect(m.parameters()).toHaveLength(4);
    expect(m.getBuffer('1.num_batches_tracked').dtype).toBe('int64');
    expect(m.getBuffer('1.running_mean').dtype).toBe('float64');
    expect(() => m.to('int32')).toThrow(/floating-point dtype/);
    expect(() => m.to('tpu' as never)).toThrow(ArgumentError);
    expect(m.to('cpu')).toBe(m);
  });

  it("to('channels_last') lays out 4-D parameters as NHWC without changing values", () => {
    const conv = new nn.Conv2d(3, 4, 3);
    const before = Array.from(conv.weight.dataSync() as Float32Array);
    conv.to('channels_last');
    expect(conv.weight.isChannelsLast).toBe(true);
    expect(Array.from(conv.weight.dataSync() as Float32Array)).toEqual(before);
    expect(conv.bias!.isChannelsLast).toBe(false);
  });

  it('dispose frees every parameter and buffer', () => {
    const m = new Net();
    const all = [...m.parameters(), ...m.buffers()];
    m.dispose();
    expect(all.every((t) => t.isDisposed)).toBe(true);
  });

  it("prints as PyTorch does: print(torchvision's resnet18, resnet50 and a layer zoo)", () => {
    const zoo = () =>
      new nn.Sequential(
        new nn.Conv2d(2, 3, [3, 1], { bias: false, stride: 2, padding: [1, 0], groups: 1, dilation: 2 }),
        new nn.BatchNorm2d(3, { eps: 1e-3, momentum: null, affine: false }),
        new nn.ReLU(),
        new nn.MaxPool2d([3, 2], { ceilMode: true }),
        new nn.AvgPool2d(2),
        new nn.AdaptiveAvgPool2d([1, 2]),
        new nn.Flatten(),
        new nn.Dropout(0.25),
        new nn.Linear(6, 4),
      );
    const python = `import torch, torchvision
from torch import nn
zoo = nn.Sequential(
    nn.Conv2d(2, 3, (3, 1), bias=False, stride=2, padding=(1, 0), groups=1, dilation=2),
    nn.BatchNorm2d(3, eps=1e-3, momentum=None, affine=False), nn.ReLU(), nn.MaxPool2d((3, 2), ceil_mode=True),
    nn.AvgPool2d(2), nn.AdaptiveAvgPool2d((1, 2)), nn.Flatten(), nn.Dropout(0.25), nn.Linear(6, 4))
for m in [torchvision.models.resnet18(), torchvision.models.resnet50(), zoo]:
    print(m)
    print('----')`;
    const printed = execFileSync('/usr/bin/python3', ['-c', python], { encoding: 'utf8' }).split('\n----\n');
    const ours = [resnet18(), resnet50(), zoo()].map((m) => m.toString());
    expect(ours).toEqual(printed.slice(0, 3));
  }, 60_000);
});
