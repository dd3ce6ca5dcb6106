import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, manualSeed, optim, resnet20, type Tensor } from '../../lib/index.js';
import { Trainer, TrainingDivergedError } from '../../lib/train/index.js';

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

function setup(outDir: string, lr = 0.1) {
  manualSeed(3);
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
  it('resumes a run killed mid-epoch and ends exactly where an uninterrupted run ends', async () => {
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

    // A fresh process would build everything again, from another seed even.
    manualSeed(99);
    const again = setup(join(dir, 'cut'));
    const trainer = new Trainer(again);
    const state = await trainer.resume(join(dir, 'cut', 'checkpoint.safetensors'));
    expect(state).toMatchObject({ epoch: 1, batch: 3 });
    const resumed = await trainer.fit();

    expect(resumed.at(-1)!.eval!.top1).toBe(reference.at(-1)!.eval!.top1);
    expect(resumed.at(-1)!.eval!.loss).toBe(reference.at(-1)!.eval!.loss);
    expect(params(again.model)).toEqual(params(full.model));
    expect(reference.at(-1)!.eval!.top1).toBeGreaterThan(0.3); // it learned something
    expect(existsSync(join(dir, 'full', 'metrics.svg'))).toBe(true);
  });

  it('stops on a non-finite loss with a clear error and keeps the last good checkpoint', async () => {
    const s = setup(join(dir, 'nan'), 1e30);
    await expect(new Trainer({ ...s, checkpointEvery: 0 }).fit()).rejects.toThrow(TrainingDivergedError);
    await expect(new Trainer({ ...s, checkpointEvery: 0 }).fit()).rejects.toThrow(
      /loss became (NaN|Infinity|-Infinity)/,
    );
  });
});
