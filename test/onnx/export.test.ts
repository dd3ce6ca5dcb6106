/** `exportOnnx`: onnxruntime-node runs the exported ResNets with forward's outputs, within 1e-5 relative. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BasicBlock, Bottleneck, ResNet, exportOnnx, manualSeed, nn, noGrad, rand, randn, resnet18, resnet20, type Tensor,
} from '../../lib/index.js'; // prettier-ignore

const TOL = (
  JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Record<
    string,
    { rtol: number }
  >
)['onnxRuntime']!;
const dir = mkdtempSync(join(tmpdir(), 'rn-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Random running statistics and affine parameters, so BatchNormalization does something. */
function randomizeBatchNorm(model: nn.Module): void {
  noGrad(() => {
    for (const m of model.modules()) {
      if (!(m instanceof nn.BatchNorm2d)) continue;
      const set = (t: Tensor | null, v: Tensor) => (t?.copy_(v), v.dispose());
      const n = m.numFeatures;
      set(m.runningMean, randn([n]).mul(0.1));
      set(m.runningVar, rand([n]).add(0.5));
      set(m.weight, rand([n]).add(0.5));
      set(m.bias, randn([n]).mul(0.1));
    }
  });
}

const cases: Array<[string, () => nn.Module, [number, number, number, number]]> = [
  ['resnet18 (BasicBlock, 7 classes)', () => resnet18({ numClasses: 7 }), [2, 3, 64, 64]],
  ['ResNeXt-style Bottleneck (groups 4, width 8)', () => new ResNet(Bottleneck, [1, 1, 1, 1], { groups: 4, widthPerGroup: 8, numClasses: 5 }), [2, 3, 64, 64]],
  ['dilated Bottleneck', () => new ResNet(Bottleneck, [1, 1, 1, 1], { replaceStrideWithDilation: [false, true, true], numClasses: 3 }), [1, 3, 64, 64]],
  ['grayscale ResNet-10', () => new ResNet(BasicBlock, [1, 1, 1, 1], { inChannels: 1, numClasses: 4 }), [3, 1, 48, 40]],
  ['resnet20 (option A shortcuts)', () => resnet20(), [2, 3, 32, 32]],
  ['resnet20 (option B shortcuts)', () => resnet20({ shortcut: 'B' }), [2, 3, 32, 32]],
  ['plain resnet20', () => resnet20({ plain: true, inChannels: 1 }), [2, 1, 28, 28]],
]; // prettier-ignore

describe('exportOnnx', () => {
  for (const [name, make, shape] of cases) {
    it(`${name}: onnxruntime matches forward, BatchNormalization nodes and folded`, async () => {
      manualSeed(1);
      const model = make();
      randomizeBatchNorm(model);
      model.eval();
      const x = randn(shape);
      const expected = noGrad(() => model.forward(x)).dataSync() as Float32Array;
      const scale = Math.max(...Array.from(expected, Math.abs));
      for (const foldBatchNorm of [false, true]) {
        const path = join(dir, `${name.replace(/\W+/g, '_')}-${foldBatchNorm}.onnx`);
        await exportOnnx(model, path, { inputShape: shape, foldBatchNorm });
        const session = await ort.InferenceSession.create(path);
        // The batch is dynamic: a batch of another size runs too (the first row, alone).
        const out = await session.run({
          input: new ort.Tensor('float32', x.dataSync() as Float32Array, shape),
        });
        const y = out['logits']!;
        expect(y.dims).toEqual([shape[0], expected.length / shape[0]]);
        const got = y.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
        expect(worst / scale, `fold ${foldBatchNorm}`).toBeLessThanOrEqual(TOL.rtol);
        const single = [1, ...shape.slice(1)];
        const row = (x.dataSync() as Float32Array).slice(0, shape[1] * shape[2] * shape[3]);
        const one = await session.run({ input: new ort.Tensor('float32', row, single) });
        expect(one['logits']!.dims[0]).toBe(1);
      }
    }, 120_000);
  }

  it('names what it cannot export', async () => {
    const model = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU());
    await expect(exportOnnx(model, join(dir, 'x.onnx'))).rejects.toThrow(/exports the ResNet family/);
    await expect(exportOnnx(resnet20(), join(dir, 'y.onnx'), { inputShape: [1, 1, 32, 32] })).rejects.toThrow(
      /inputShape\[1\] to be the model's 3 input channels but received 1/,
    );
  });

  it('writes a fixed batch size when dynamicBatch is false', async () => {
    const path = join(dir, 'fixed.onnx');
    await exportOnnx(resnet20(), path, { inputShape: [4, 3, 32, 32], dynamicBatch: false });
    const session = await ort.InferenceSession.create(path);
    await expect(
      session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32]) }),
    ).rejects.toThrow(/dimension|Got: 1 Expected: 4/i);
  });
});
