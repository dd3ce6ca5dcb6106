/** `eval` reads only the test split: no train/ folder for ImageFolder, no training files. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
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
