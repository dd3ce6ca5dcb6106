/** Building the CLI's models from weights files: checkpoints, wrong architectures, no probe model. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { guessArch } from '../../lib/cli/arch_guess.js';
import { architectures, buildModel } from '../../lib/cli/models.js';
import { optim, resnet18, resnet20, resnext50_32x4d, save, type Tensor } from '../../lib/index.js';
import { saveCheckpoint } from '../../lib/train/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-cli-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const values = (ts: Tensor[]) => ts.map((t) => Array.from(t.dataSync() as Float32Array));

describe('buildModel', () => {
  it('loads the model of a training checkpoint (checkpoint.safetensors)', async () => {
    const trained = resnet20({ inChannels: 1 });
    const path = join(dir, 'checkpoint.safetensors');
    await saveCheckpoint(path, trained, new optim.SGD(trained.parameters(), { lr: 0.1 }), {
      epoch: 1,
      batch: 0,
    });
    const { model } = await buildModel('resnet20', { numClasses: 10, inChannels: 1, weights: path });
    expect(values(model.parameters())).toEqual(values(trained.parameters()));
  });

  it('says first which architecture the weights are, then the keys', async () => {
    const path = join(dir, 'resnet20.safetensors');
    await save(resnet20({ inChannels: 1 }).stateDict(), path);
    const error = (await buildModel('resnet56', { numClasses: 10, inChannels: 1, weights: path }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(
      /^These weights look like a resnet20, not a resnet56: pass --arch resnet20\. In detail: .*layer1\.3/s,
    );
  });

  it('builds the architecture once, with no probe model to find the classifier', async () => {
    const path = join(dir, 'resnet20-once.safetensors');
    await save(resnet20({ inChannels: 1, numClasses: 10 }).stateDict(), path);
    const spy = vi.spyOn(architectures, 'resnet20');
    const { head } = await buildModel('resnet20', {
      numClasses: 3,
      inChannels: 1,
      weights: path,
      fineTune: true,
    });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(head.map((p) => p.shape)).toEqual([[3, 64], [3]]);
    spy.mockRestore();
  });
});

describe('buildModel outside fine-tuning', () => {
  it('refuses a classifier of another size, naming both, instead of replacing it', async () => {
    const path = join(dir, 'resnet20-ten.safetensors');
    await save(resnet20({ inChannels: 1, numClasses: 10 }).stateDict(), path);
    await expect(buildModel('resnet20', { numClasses: 3, inChannels: 1, weights: path })).rejects.toThrow(
      /have a classifier of 10 classes but 3 were asked for/,
    );
  });
});

describe('guessArch', () => {
  it('names torchvision and CIFAR architectures from their state dicts', () => {
    for (const [name, make] of [
      ['resnet20', () => resnet20()],
      ['resnet18', () => resnet18()],
      ['resnext50_32x4d', () => resnext50_32x4d()],
    ] as const) {
      const model = make();
      expect(guessArch(model.stateDict())).toBe(name);
      model.dispose();
    }
  });
});
