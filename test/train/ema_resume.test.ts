import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../lib/errors.js';
import { data, manualSeed, optim, randn, randint, resnet20, type Tensor } from '../../lib/index.js';
import { ExponentialMovingAverage, loadCheckpoint, saveCheckpoint, Trainer } from '../../lib/train/index.js';

/** Three small ResNet-20 runs of 2 × 8 batches of 16×16 images. */
const TRAINING_MS = 180_000;
const dir = mkdtempSync(join(tmpdir(), 'rn-ema-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

manualSeed(5);
const train: data.TensorDataset = {
  kind: 'tensor',
  inputs: randn([128, 1, 16, 16]),
  targets: randint(0, 10, [128]),
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
  length: 128,
};

/** Everything a run builds, from the global seed `seed` on (the checkpoint must make it irrelevant). */
function setup(outDir: string, seed = 3) {
  manualSeed(seed);
  const model = resnet20({ inChannels: 1 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const trainLoader = new data.DataLoader(train, {
    batchSize: 16,
    shuffle: true,
    seed: 11,
    transform: data.transforms.randomHorizontalFlip(),
  });
  const average = new ExponentialMovingAverage(resnet20({ inChannels: 1 }), 0.9);
  // the first epoch restarts the average (torchvision's warm-up), the second one averages
  const ema = { average, steps: 2, warmupEpochs: 1 };
  return { model, optimizer, trainLoader, epochs: 2, outDir, checkpointEvery: 3, ema };
}

const values = (sd: Record<string, Tensor>) =>
  Object.entries(sd).map(([k, t]) => [k, Array.from(t.dataSync() as ArrayLike<number | bigint>)]);

describe('EMA in training checkpoints', () => {
  it(
    "a run resumed mid-epoch continues the moving average bitwise as an uninterrupted run's",
    async () => {
      const full = setup(join(dir, 'full'));
      await new Trainer(full).fit();

      const cut = setup(join(dir, 'cut'));
      const killed = new Trainer({
        ...cut,
        onBatch: (e) => {
          if (e.epoch === 2 && e.batch === 5) throw new Error('killed');
        },
      });
      await expect(killed.fit()).rejects.toThrow('killed');

      const again = setup(join(dir, 'cut'), 99);
      const trainer = new Trainer(again);
      const state = await trainer.resume(join(dir, 'cut', 'checkpoint.safetensors'));
      expect(state).toMatchObject({ epoch: 1, batch: 3 });
      // epoch 2's updates so far: batches 0 and 2 (every 2 steps), after the warm-up's restart
      expect(again.ema.average.nAveraged).toBe(2);
      await trainer.fit();

      expect(again.ema.average.nAveraged).toBe(full.ema.average.nAveraged);
      const expected = values(full.ema.average.module.stateDict());
      expect(values(again.ema.average.module.stateDict())).toEqual(expected);
      // the average is not the model itself (so the comparison above is about the average)
      expect(values(full.ema.average.module.stateDict())).not.toEqual(values(full.model.stateDict()));
    },
    TRAINING_MS,
  );

  it('refuses to restore an EMA from a checkpoint that holds none', async () => {
    const s = setup(join(dir, 'plain'));
    const path = join(dir, 'plain.safetensors');
    await saveCheckpoint(path, s.model, s.optimizer, { epoch: 1, batch: 0 });
    await expect(loadCheckpoint(path, s.model, s.optimizer, { ema: s.ema.average })).rejects.toThrow(
      FormatError,
    );
    await expect(loadCheckpoint(path, s.model, s.optimizer, { ema: s.ema.average })).rejects.toThrow(
      /moving average.*holds none/,
    );
    // without asking for one, the same file loads
    await expect(loadCheckpoint(path, s.model, s.optimizer)).resolves.toMatchObject({ epoch: 1 });
  });
});
