/**
 * The Trainer's `batchMix` (mixup/cutmix): the loss sees soft (N, K) targets, the training
 * top-1 counts each soft target's most likely class (torchvision's `accuracy`), and the mixing
 * draws are reproducible per (seed, epoch, batch).
 */
import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, optim, randint, type Tensor } from '../../lib/index.js';
import { Trainer } from '../../lib/train/index.js';

function run(seen: Array<{ shape: number[]; dtype: string; rowSums: number[] }>) {
  manualSeed(3);
  const dataset: data.TensorDataset = {
    kind: 'tensor',
    inputs: randint(0, 256, [32, 1, 8, 8], { dtype: 'uint8' }),
    targets: randint(0, 4, [32]),
    classes: ['a', 'b', 'c', 'd'],
    length: 32,
  };
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 4));
  const T = data.transforms;
  const trainer = new Trainer({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.05 }),
    trainLoader: new data.DataLoader(dataset, { batchSize: 8, shuffle: true, seed: 4 }),
    epochs: 1,
    captureSteps: false,
    batchMix: T.randomChoiceMix([
      T.mixup({ numClasses: 4, p: 1, alpha: 0.4 }),
      T.cutmix({ numClasses: 4, p: 1 }),
    ]),
    loss: (logits, target) => {
      seen.push({
        shape: [...target.shape],
        dtype: target.dtype,
        rowSums: Array.from(target.sum(1).dataSync() as Float32Array),
      });
      return nn.functional.crossEntropy(logits, target);
    },
    metrics: {
      // top-1 against the soft target's most likely class, computed here independently
      argmaxTop1: (logits: Tensor, target: Tensor) =>
        logits.argmax(1).eq(target.argmax(1)).to('float32').mean().item(),
    },
  });
  return trainer.fit();
}

describe('Trainer batchMix', () => {
  it('trains on soft targets and counts accuracy against their most likely class', async () => {
    const seen: Array<{ shape: number[]; dtype: string; rowSums: number[] }> = [];
    const [record] = await run(seen);
    expect(seen).toHaveLength(4);
    for (const s of seen) {
      expect(s.shape).toEqual([8, 4]);
      expect(s.dtype).toBe('float32');
      for (const v of s.rowSums) expect(Math.abs(v - 1)).toBeLessThan(1e-6);
    }
    // both are counts of 32 images: compared as counts
    expect(Math.round(record!.train.top1 * 32)).toBe(Math.round(record!.train.custom!['argmaxTop1']! * 32));
    const again = await run([]);
    expect(again[0]!.train.loss).toBe(record!.train.loss);
  });
});
