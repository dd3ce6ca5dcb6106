import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, manualSeed, noGrad, optim, resnet20, type Tensor } from '../../lib/index.js';
import { Trainer, TrainingDivergedError } from '../../lib/train/index.js';

/** Three ResNet-20 runs of 2 × 8 batches (~11 s on 2 shared cores). */
const TRAINING_MS = 180_000;
const dir = mkdtempSync(join(tmpdir(), 'rn-trainer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let train: data.TensorDataset;
let test: data.TensorDataset;
beforeAll(async () => {
  const full = await data.FashionMNIST.load({ train: true });
  const first = (n: number, ds: data.TensorDataset): data.TensorDataset => ({
    kind: 'tensor',
    inputs: ds.inputs.narrow(0, 0, n),
    targets: ds.targets.narrow(0, 0, n),
    classes: ds.classes,
    length: n,
  });
  train = first(512, full);
  test = first(256, await data.FashionMNIST.load({ train: false }));
});

/** Everything a run builds, from the global seed `seed` (weights init) on. */
function setup(outDir: string, { lr = 0.1, seed = 3 } = {}) {
  manualSeed(seed);
  const model = resnet20({ inChannels: 1 });
  const optimizer = new optim.SGD(model.parameters(), {
    lr,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
  });
  const trainLoader = new data.DataLoader(train, {
    batchSize: 64,
    shuffle: true,
    seed: 11,
    transform: data.transforms.compose([
      data.transforms.randomCrop(28, { padding: 2 }),
      data.transforms.randomHorizontalFlip(),
    ]),
  });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, {
    maxLr: lr,
    epochs: 2,
    stepsPerEpoch: trainLoader.length,
  });
  const evalLoader = new data.DataLoader(test, { batchSize: 128 });
  return { model, optimizer, scheduler, trainLoader, evalLoader, epochs: 2, outDir, checkpointEvery: 3 };
}

const params = (m: { parameters(): Tensor[] }) =>
  m.parameters().map((p) => Array.from(p.dataSync() as Float32Array));

describe('Trainer', () => {
  it(
    'resumes a run killed mid-epoch and ends exactly where an uninterrupted run ends',
    async () => {
      const full = setup(join(dir, 'full'));
      const reference = await new Trainer(full).fit();

      // Interrupted: stop in the middle of epoch 2 (after its first mid-epoch checkpoint).
      const cut = setup(join(dir, 'cut'));
      await expect(
        new Trainer({
          ...cut,
          onBatch: (e) => {
            if (e.epoch === 2 && e.batch === 5) throw new Error('killed');
          },
        }).fit(),
      ).rejects.toThrow('killed');

      // A fresh process would build everything again, from another seed even: the checkpoint
      // restores the weights and the RNG, so the seed of the rebuilt model must not matter.
      const again = setup(join(dir, 'cut'), { seed: 99 });
      expect(params(again.model)).not.toEqual(params(setup(join(dir, 'unused')).model));
      const trainer = new Trainer(again);
      const state = await trainer.resume(join(dir, 'cut', 'checkpoint.safetensors'));
      expect(state).toMatchObject({ epoch: 1, batch: 3 });
      const resumed = await trainer.fit();

      expect(resumed.at(-1)!.eval!.top1).toBe(reference.at(-1)!.eval!.top1);
      expect(resumed.at(-1)!.eval!.loss).toBe(reference.at(-1)!.eval!.loss);
      expect(params(again.model)).toEqual(params(full.model));
      expect(reference.at(-1)!.eval!.top1).toBeGreaterThan(0.3); // it learned something
      expect(existsSync(join(dir, 'full', 'metrics.svg'))).toBe(true);
    },
    TRAINING_MS,
  );

  it(
    'stops on a non-finite loss with a clear error and keeps the last good checkpoint',
    async () => {
      const s = setup(join(dir, 'nan'));
      let good: number[][] = [];
      const run = new Trainer({
        ...s,
        onBatch: (e) => {
          // Batch 3 is checkpointed right after this call; batch 4 is not (checkpointEvery 3).
          if (e.batch === 3) good = params(s.model);
          // An exploded update after batch 4: batch 5's loss is not finite.
          if (e.batch === 4) noGrad(() => s.model.parameters()[0]!.fill_(Infinity));
        },
      });
      const error = (await run.fit().catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect(error.message).toMatch(
        /loss became (NaN|-?Infinity) at epoch 1, batch 5; .* checkpoint is kept at .*nan/,
      );

      // The checkpoint on disk is the one of batch 3, whole, loadable and finite.
      const again = setup(join(dir, 'nan'), { seed: 7 });
      const state = await new Trainer(again).resume(join(dir, 'nan', 'checkpoint.safetensors'));
      expect(state).toMatchObject({ epoch: 0, batch: 3 });
      expect(good).toHaveLength(again.model.parameters().length);
      expect(params(again.model)).toEqual(good);
      expect(params(again.model).flat().every(Number.isFinite)).toBe(true);
    },
    TRAINING_MS,
  );
});
