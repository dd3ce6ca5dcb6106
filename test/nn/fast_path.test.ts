import { describe, expect, it } from 'vitest';
import {
  capture,
  manualSeed,
  nn,
  noGrad,
  optim,
  randn,
  resnet18,
  resnet20,
  resnet50,
  type Tensor,
} from '../../lib/index.js';
import { TOLERANCES, relError } from '../helpers/compare.js';

const values = (t: Tensor) => t.dataSync() as Float32Array;
const bound = TOLERANCES.fastPath.rtol;

/** Eval-mode models with non-trivial running statistics and affine batch norm parameters. */
function prepared<M extends nn.Module>(model: M): M {
  noGrad(() => {
    for (const [name, b] of model.namedBuffers()) {
      if (name.endsWith('running_var')) b.uniform_(0.5, 2);
      if (name.endsWith('running_mean')) b.normal_(0, 0.1);
    }
    for (const [name, p] of model.namedParameters()) {
      if (/bn\d?\.weight|downsample\.1\.weight/.test(name)) p.uniform_(0.5, 1.5);
      if (/bn\d?\.bias|downsample\.1\.bias/.test(name)) p.normal_(0, 0.1);
    }
  });
  return model.eval();
}

/** The plain (captured as is, not fused) result: noGrad(forward). */
const plain = (m: nn.Module, x: Tensor) => noGrad(() => m.forward(x));

function argmaxRows(t: Tensor): number[] {
  return Array.from(t.argmax(1).dataSync() as BigInt64Array, Number);
}

const slow = 300_000;

describe('the inference fast path', () => {
  it(
    'fuses every conv of a ResNet with its batch norm, residual add and ReLU',
    () => {
      manualSeed(1);
      const model = prepared(resnet18({ numClasses: 10 }));
      const x = randn([1, 3, 64, 64]);
      const { program } = noGrad(() =>
        capture(
          [x],
          () => model.forward(x),
          (r) => [r],
        ),
      );
      const fast = program.prepareInference();
      const steps = fast.steps;
      expect(steps.filter((s) => s.startsWith('fusedConv'))).toHaveLength(20);
      expect(steps.filter((s) => s === 'fusedConv+add')).toHaveLength(8);
      expect(steps).not.toContain('batchNorm');
      expect(steps).not.toContain('relu_');
      expect(steps).not.toContain('add_');
      expect(steps.slice(-3)).toEqual(['adaptiveAvgPool2d', 'flatten', 'linear']);
      // A program with nothing to fuse comes back as it is.
      const y = randn([4]);
      const { program: small } = capture(
        [y],
        () => y.relu().add(1),
        (r) => [r],
      );
      expect(small.prepareInference().steps).toEqual(['relu', 'add']);
    },
    slow,
  );

  it(
    'forwardAsync and optimizeForInference equal the plain forward within rounding; the same top-1 on 1,000 random inputs (ResNet-20)',
    async () => {
      manualSeed(2);
      const model = prepared(resnet20());
      const optimized = prepared(resnet20()).optimizeForInference();
      optimized.loadStateDict(model.stateDict());
      let agree = 0;
      let worst = 0;
      for (let batch = 0; batch < 4; batch++) {
        const x = randn([250, 3, 32, 32]);
        const expected = plain(model, x);
        const viaAsync = await model.forwardAsync(x); // the first call captures (eager)
        const viaSync = optimized.forward(x);
        if (batch > 0) {
          for (const actual of [viaAsync, viaSync])
            worst = Math.max(worst, relError(values(actual), values(expected)));
          const top = argmaxRows(expected);
          const a = argmaxRows(viaAsync);
          const s = argmaxRows(viaSync);
          agree += top.filter((c, i) => c === a[i] && c === s[i]).length;
        }
        expect(viaSync.requiresGrad).toBe(false);
      }
      const x = randn([250, 3, 32, 32]);
      const expected = plain(model, x);
      worst = Math.max(worst, relError(values(await model.forwardAsync(x)), values(expected)));
      const top = argmaxRows(expected);
      const a = argmaxRows(await model.forwardAsync(x));
      agree += top.filter((c, i) => c === a[i]).length;
      expect(agree).toBe(1000);
      expect(worst).toBeGreaterThan(0); // the fused path did run (it rounds differently)
      expect(worst).toBeLessThan(bound);
    },
    slow,
  );

  it(
    'resnet50 and resnet18 at 224²: logits within rounding, the same top-1',
    async () => {
      manualSeed(3);
      for (const make of [() => resnet50(), () => resnet18()]) {
        const reference = prepared(make());
        const model = make().optimizeForInference().eval();
        model.loadStateDict(reference.stateDict());
        const x = randn([2, 3, 224, 224]);
        model.forward(x); // capture
        const expected = plain(reference, x);
        const viaSync = model.forward(x);
        const viaAsync = await model.forwardAsync(x);
        for (const actual of [viaSync, viaAsync]) {
          expect(relError(values(actual), values(expected))).toBeLessThan(bound);
          expect(argmaxRows(actual)).toEqual(argmaxRows(expected));
        }
        model.dispose();
        reference.dispose();
      }
    },
    slow,
  );

  it(
    'is never stale: weights changed by an optimizer step, loadStateDict, in-place edits and running statistics',
    async () => {
      manualSeed(4);
      const model = prepared(resnet20()).optimizeForInference();
      const x = randn([8, 3, 32, 32]);
      const check = async () => {
        const expected = plain(model, x);
        expect(relError(values(model.forward(x)), values(expected))).toBeLessThan(bound);
        expect(relError(values(await model.forwardAsync(x)), values(expected))).toBeLessThan(bound);
        return expected;
      };
      model.forward(x); // capture
      const before = await check();
      // an optimizer step (train mode also moves the running statistics in place)
      const opt = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
      model.train();
      nn.functional.crossEntropy(model.forward(x), randn([8]).abs().mul(3).floor().to('int64')).backward();
      opt.step();
      model.eval();
      const afterStep = await check();
      expect(relError(values(afterStep), values(before))).toBeGreaterThan(1e-3);
      // loadStateDict (copies in place)
      const other = prepared(resnet20());
      model.loadStateDict(other.stateDict());
      const loaded = await check();
      expect(relError(values(loaded), values(plain(other, x)))).toBeLessThan(bound);
      // in-place edits of a conv weight and of a batch norm's running variance
      noGrad(() => {
        (model.getSubmodule('layer2') as nn.Module).parameters()[0]!.mul_(-1.5);
        model
          .namedBuffers()
          .find(([n]) => n === 'bn1.running_var')![1]
          .mul_(4);
      });
      const edited = await check();
      expect(relError(values(edited), values(loaded))).toBeGreaterThan(1e-3);
    },
    slow,
  );
});
