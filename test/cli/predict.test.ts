/** `predict` in this process: the run's config.json as defaults, said defaults, named bad files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { predict, type PredictFlags } from '../../lib/cli/predict.js';
import { resnet20, save } from '../../lib/index.js';
import { parsePredictions, topClasses, writeTestImages, type TestImages } from './predictions.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-cli-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');
const weights = join(run, 'model.safetensors');
let images: TestImages;
beforeAll(async () => {
  mkdirSync(run);
  await save(resnet20({ inChannels: 1 }).stateDict(), weights);
  images = await writeTestImages(dir, 2);
});

/** The commander defaults, as main.ts declares them, none given on the command line. */
const defaults = (w: string): PredictFlags => ({
  arch: 'resnet50',
  dataset: 'imagenet',
  weights: w,
  resizeSize: 256,
  cropSize: 224,
});

/** Runs predict and returns [stdout, stderr]. */
async function capture(paths: string[], flags: PredictFlags, given: (f: keyof PredictFlags) => boolean) {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const text = (s: typeof log) => s.mock.calls.map((c) => `${c.join(' ')}\n`).join('');
  try {
    await predict(paths, flags, given);
    return [text(log), text(err)] as const;
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('resnet-native predict', () => {
  it("takes arch and dataset from the run's config.json when not given", async () => {
    writeFileSync(join(run, 'config.json'), JSON.stringify({ arch: 'resnet20', dataset: 'fashion-mnist' }));
    const [stdout, stderr] = await capture(images.paths, defaults(weights), (f) => f === 'weights');
    const expected = await topClasses(images, weights);
    expect(parsePredictions(stdout)).toEqual(
      images.paths.map((path, i) => ({ path, top: expected[i]!.map((c) => c.name) })),
    );
    expect(stderr).toMatch(/settings of the run in .*: --arch resnet20 --dataset fashion-mnist/);
  });

  it('says when it falls back on its defaults', async () => {
    const bare = join(dir, 'bare.safetensors');
    await save(resnet20({ inChannels: 1 }).stateDict(), bare);
    const note = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // The ImageNet defaults do not fit these resnet20 weights: the note comes before that error.
    await expect(predict(images.paths, defaults(bare), (f) => f === 'weights')).rejects.toThrow(
      /look like a resnet20, not a resnet50/,
    );
    expect(note.mock.calls.flat().join('\n')).toMatch(
      /no config.json beside .*bare.safetensors: using --arch resnet50 --dataset imagenet/,
    );
    note.mockRestore();
  });

  it('refuses a size flag that the preset would ignore', async () => {
    const flags = { ...defaults(weights), arch: 'resnet20', dataset: 'fashion-mnist' as const, cropSize: 20 };
    await expect(capture(images.paths, flags, () => true)).rejects.toThrow(
      '--resize-size is used only by --dataset imagenet (fashion-mnist images are 28 pixels)',
    );
  });

  it('names a file that is not an image', async () => {
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'not an image');
    const flags = { ...defaults(weights), arch: 'resnet20', dataset: 'fashion-mnist' as const };
    await expect(capture([text], flags, (f) => f === 'arch' || f === 'dataset')).rejects.toThrow(
      `${text} is not an image that can be read (`,
    );
  });
});
