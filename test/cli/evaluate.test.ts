/**
 * `eval` reads only the test split: no train/ folder for ImageFolder, no training files.
 * `--limit-train`/`--limit-test` take a subset of an ImageFolder too, spread over its classes.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadData } from '../../lib/cli/datasets.js';
import { evaluate } from '../../lib/cli/evaluate.js';
import { defaultFashionMnistRoot } from '../../lib/data/fashion_mnist.js';
import { resnet20, save } from '../../lib/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-cli-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `eval` in this process and returns what it printed. */
async function run(flags: Parameters<typeof evaluate>[0]): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await evaluate(flags);
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
  }
}

/** An ImageFolder at `root` with `perClass` plain images of each class in each split. */
async function folder(root: string, splits: string[], perClass: number): Promise<void> {
  for (const split of splits)
    for (const [cls, colour] of [
      ['cat', 40],
      ['dog', 200],
    ] as const) {
      mkdirSync(join(root, split, cls), { recursive: true });
      const pixels = Buffer.alloc(40 * 30 * 3, colour);
      for (let i = 0; i < perClass; i++)
        await sharp(pixels, { raw: { width: 40, height: 30, channels: 3 } })
          .png()
          .toFile(join(root, split, cls, `${i}.png`));
    }
}

const common = { arch: 'resnet20', batchSize: 8, augment: false, cropSize: 32, resizeSize: 36 };

describe('resnet-native eval', () => {
  it('evaluates an ImageFolder that has only val/', async () => {
    const root = join(dir, 'folder');
    for (const [cls, colour] of [
      ['cat', 40],
      ['dog', 200],
    ] as const) {
      mkdirSync(join(root, 'val', cls), { recursive: true });
      const pixels = Buffer.alloc(40 * 30 * 3, colour);
      await sharp(pixels, { raw: { width: 40, height: 30, channels: 3 } })
        .png()
        .toFile(join(root, 'val', cls, 'a.png'));
    }
    const weights = join(dir, 'rgb.safetensors');
    await save(resnet20({ numClasses: 2 }).stateDict(), weights);
    const out = await run({ ...common, dataset: 'imagefolder', dataPath: root, weights });
    expect(out).toMatch(/images: +2 /);
    expect(out).toMatch(/test accuracy: \d\.\d{4}/);
  });

  it('evaluates --limit-test images of an ImageFolder', async () => {
    const root = join(dir, 'folder-limit');
    await folder(root, ['val'], 3);
    const weights = join(dir, 'rgb-limit.safetensors');
    await save(resnet20({ numClasses: 2 }).stateDict(), weights);
    const out = await run({ ...common, dataset: 'imagefolder', dataPath: root, weights, limitTest: 4 });
    expect(out).toMatch(/images: +4 /);
  });

  it('limits an ImageFolder to images of every class, for training and testing', async () => {
    const root = join(dir, 'folder-train');
    await folder(root, ['train', 'val'], 3);
    const setup = await loadData({
      ...common,
      dataset: 'imagefolder',
      dataPath: root,
      limitTrain: 2,
      limitTest: 4,
    });
    expect([setup.train.length, setup.test.length]).toEqual([2, 4]);
    if (setup.train.kind !== 'items' || setup.test.kind !== 'items')
      throw new Error('expected item datasets');
    const rng = { next: () => 0.5 };
    const targets = async (ds: typeof setup.train & { kind: 'items' }) =>
      Promise.all(Array.from({ length: ds.length }, async (_, i) => (await ds.get(i, rng)).target));
    expect(await targets(setup.train)).toEqual([0, 1]);
    expect(await targets(setup.test)).toEqual([0, 0, 1, 1]);
    await expect(setup.train.get(2, rng)).rejects.toThrow(/outside the dataset \(length 2\)/);
  });

  it('evaluates Fashion-MNIST from a folder without the training files', async () => {
    const root = join(dir, 'fashion-test-only');
    mkdirSync(root);
    for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
      symlinkSync(join(defaultFashionMnistRoot, f), join(root, f));
    const weights = join(dir, 'gray.safetensors');
    await save(resnet20({ inChannels: 1 }).stateDict(), weights);
    const out = await run({ ...common, dataset: 'fashion-mnist', dataPath: root, weights, limitTest: 16 });
    expect(out).toMatch(/images: +16 /);
  });
});
