/**
 * The Trainer's defaults and modes, on a tiny network (4 batches an epoch, well under a second):
 * scheduler stepping by kind, evaluate() restoring modes, frozen batch norm, honest errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, data, manualSeed, nn, noGrad, optim, randint } from '../../lib/index.js';
import { Trainer, TrainingDivergedError, type TrainerOptions } from '../../lib/train/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-trainer-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 64 random 8×8 images of 4 classes, a conv-BN-linear net, SGD at lr 0.1. */
function tiny(overrides: Partial<TrainerOptions> = {}) {
  manualSeed(1);
  const dataset: data.TensorDataset = {
    kind: 'tensor',
    inputs: randint(0, 256, [64, 1, 8, 8], { dtype: 'uint8' }),
    targets: randint(0, 4, [64]),
    classes: ['a', 'b', 'c', 'd'],
    length: 64,
  };
  const bn = new nn.BatchNorm2d(4);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { bias: false }),
    bn,
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(4, 4),
  );
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const loader = new data.DataLoader(dataset, { batchSize: 16 });
  const options: TrainerOptions = { model, optimizer, trainLoader: loader, epochs: 2, ...overrides };
  return { model, bn, optimizer, loader, options };
}

describe('Trainer', () => {
  it('steps StepLR once per epoch by default, as PyTorch users expect', async () => {
    const t = tiny();
    const scheduler = new optim.lrScheduler.StepLR(t.optimizer, { stepSize: 1, gamma: 0.5 });
    const history = await new Trainer({ ...t.options, scheduler }).fit();
    expect(history.map((r) => r.lr)).toEqual([0.05, 0.025]);
  });

  it('steps OneCycleLR once per batch by default', async () => {
    const t = tiny();
    const scheduler = new optim.lrScheduler.OneCycleLR(t.optimizer, { maxLr: 0.1, totalSteps: 8 });
    await new Trainer({ ...t.options, scheduler }).fit();
    expect(scheduler.lastEpoch).toBe(8);
  });

  it('steps a SequentialLR that runs a OneCycleLR once per batch by default', async () => {
    const t = tiny();
    const { LinearLR, OneCycleLR, SequentialLR } = optim.lrScheduler;
    const warmup = new LinearLR(t.optimizer, { startFactor: 0.5, totalIters: 2 });
    const cycle = new OneCycleLR(t.optimizer, { maxLr: 0.1, totalSteps: 6 });
    const scheduler = new SequentialLR(t.optimizer, { schedulers: [warmup, cycle], milestones: [2] });
    await new Trainer({ ...t.options, scheduler }).fit();
    expect(scheduler.lastEpoch).toBe(8);
  });

  it('evaluate() gives every module back the mode it had', async () => {
    const t = tiny();
    const trainer = new Trainer(t.options);
    t.model.eval();
    await trainer.evaluate(t.loader);
    expect(t.model.training).toBe(false);
    t.model.train();
    t.bn.eval();
    await trainer.evaluate(t.loader);
    expect([t.model.training, t.bn.training]).toEqual([true, false]);
  });

  it('keeps evalModules in eval mode in every epoch: frozen batch norm statistics stay put', async () => {
    const t = tiny();
    const before = Array.from(t.bn.runningMean!.dataSync() as Float32Array);
    await new Trainer({ ...t.options, evalModules: [t.bn], evalLoader: t.loader }).fit();
    expect(t.bn.training).toBe(false);
    expect(t.model.training).toBe(true);
    expect(Array.from(t.bn.runningMean!.dataSync() as Float32Array)).toEqual(before);
  });

  it('does not claim a checkpoint is kept when none was written', async () => {
    const t = tiny();
    const trainer = new Trainer({
      ...t.options,
      outDir: join(dir, 'diverged'),
      onBatch: (e) => {
        if (e.batch === 1) noGrad(() => t.model.parameters()[0]!.fill_(Infinity));
      },
    });
    const error = (await trainer.fit().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.message).toMatch(
      /at epoch 1, batch 2; training stopped. No checkpoint had been written yet/,
    );
    expect(error.message).not.toMatch(/is kept/);
  });

  it('refuses a loader whose epoch has 0 batches', () => {
    const t = tiny();
    const trainLoader = new data.DataLoader(t.loader.dataset, { batchSize: 128, dropLast: true });
    expect(() => new Trainer({ ...t.options, trainLoader })).toThrow(
      'Expected a trainLoader with at least one batch but its epoch has 0 batches (64 examples, batchSize 128, dropLast)',
    );
  });

  it('refuses a negative epoch count', () => {
    const t = tiny();
    expect(() => new Trainer({ ...t.options, epochs: -1 })).toThrow(ArgumentError);
    expect(() => new Trainer({ ...t.options, epochs: -1 })).toThrow(
      'Expected a non-negative integer for epochs but received -1',
    );
  });
});
