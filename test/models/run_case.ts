/**
 * Runs one reference case through the library as the script ran it through PyTorch: load the
 * state dict, eval forward, training forward, cross entropy, backward; compares every result
 * with PyTorch's run in the same dtype, element by element (test/helpers/compare.ts).
 */
import { expect } from 'vitest';

import { nn, noGrad, tidy, type Tensor } from '../../lib/index.js';
import * as models from '../../lib/models/index.js';
import { expectClose, toleranceFor } from '../helpers/compare.js';
import { TEST_DEVICE } from '../helpers/device.js';
import type { Json, Reference } from '../helpers/reference.js';

const F = nn.functional;

/** The library's module for a case configuration of cases.json. */
export function buildModel(cfg: Json): nn.Module {
  const block = cfg.block === 'BasicBlock' ? models.BasicBlock : models.Bottleneck;
  switch (cfg.kind) {
    case 'block': {
      const out = cfg.planes * block.expansion;
      const ds = cfg.downsample;
      const downsample =
        ds === null
          ? null
          : new nn.Sequential(models.conv1x1(cfg.inplanes, out, ds.stride), new nn.BatchNorm2d(out));
      const { stride, groups, baseWidth, dilation } = cfg;
      return new block(cfg.inplanes, cfg.planes, { stride, downsample, groups, baseWidth, dilation });
    }
    case 'resnet':
      return new models.ResNet(block, cfg.layers, cfg.options);
    case 'torchvision':
    case 'cifar':
      return (models as unknown as Record<string, (o: Json) => nn.Module>)[cfg.factory]!(cfg.options);
    default:
      throw new Error(`unknown case kind ${cfg.kind}`);
  }
}

/** Same keys, same order, same shapes and dtypes as PyTorch's state_dict() (floats as `floatDType`). */
export function expectSameKeys(
  model: nn.Module,
  keys: Array<[string, number[], string]>,
  floatDType = 'float32',
): void {
  const ours = Object.entries(model.stateDict()).map(([k, t]) => {
    const entry = [k, [...t.shape], t.dtype];
    t.dispose();
    return entry;
  });
  expect(ours).toEqual(
    keys.map(([k, shape, dtype]) => [k, shape, dtype.startsWith('float') ? floatDType : dtype]),
  );
}

export function runCase(ref: Reference, cfg: Json, kind: 'float32' | 'float64'): void {
  const name: string = cfg.name;
  const model = buildModel(cfg);
  try {
    tidy(() => {
      // On the suite's device (test/helpers/device.ts): inputs, weights and targets there, the
      // results compared with PyTorch's CPU run under that device's tolerance.
      const floats = { dtype: kind, device: TEST_DEVICE };
      if (kind === 'float64') model.to('float64');
      model.to(TEST_DEVICE);
      expectSameKeys(model, cfg.keys, kind);
      const sd: Record<string, Tensor> = {};
      for (const [key] of cfg.keys as Array<[string]>) sd[key] = ref.tensor(`${name}.state.${key}`, floats);
      const loaded = model.loadStateDict(sd);
      expect(loaded).toEqual({ missingKeys: [], unexpectedKeys: [], shapeMismatches: [] });

      const check = (actual: Tensor, refName: string, what: string): void => {
        const suite = `${name} ${what.split(' ')[0]} ${kind}`;
        const expected = ref.tensor(`${name}.${kind}.${refName}`);
        expectClose(
          actual,
          expected,
          toleranceFor(kind, TEST_DEVICE),
          `${name} ${what} (REF_SEED=${ref.seed})`,
          suite,
        );
      };

      model.eval();
      const x = ref.tensor(`${name}.input`, { dtype: kind, requiresGrad: true, device: TEST_DEVICE });
      check(
        noGrad(() => model.forward(x)),
        'out_eval',
        'logits (eval)',
      );
      expect(x.grad).toBeNull();

      model.train();
      const out = model.forward(x);
      check(out, 'out_train', 'logits (train)');
      const loss = F.crossEntropy(out, ref.tensor(`${name}.target`, { device: TEST_DEVICE }));
      check(loss, 'loss', 'loss');
      loss.backward();
      check(x.grad!, 'grad.input', 'grad input');
      const params = model.namedParameters();
      expect(params.map(([k]) => k)).toEqual(
        Object.keys(sd).filter((k) => ref.has(`${name}.${kind}.grad.${k}`)),
      );
      for (const [k, p] of params) check(p.grad!, `grad.${k}`, `grad ${k}`);
      for (const [k, b] of model.namedBuffers()) check(b, `after.${k}`, `running-stats ${k}`);
      model.zeroGrad();
    });
  } finally {
    model.dispose();
  }
}
