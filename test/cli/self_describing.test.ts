/**
 * The acceptance path of self-describing weights (dist/cli.js): a 3-class model fine-tuned by
 * `train` from a 10-class file is evaluated, predicted and served with no --arch and no
 * --classes (resnet32: not the CLI's default architecture, so only the file can say it), and a
 * wrong --classes is a clear error naming both sizes.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, loadModel, readModelMetadata, resnet32, save } from '../../lib/index.js';
import { startServer } from '../serve/load_client.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-cli-self-describing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data');
const weights = join(dir, 'elsewhere', 'model.safetensors'); // no config.json beside it
const colours = { blue: [30, 30, 200], green: [30, 200, 30], red: [200, 30, 30] } as const;
const image = (cls: string, i: number) => join(data, 'val', cls, `${i}.png`);

beforeAll(async () => {
  for (const split of ['train', 'val'])
    for (const [cls, rgb] of Object.entries(colours)) {
      mkdirSync(join(data, split, cls), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const px = Buffer.alloc(40 * 48 * 3);
        for (let j = 0; j < px.length; j++)
          px[j] = Math.max(0, Math.min(255, rgb[j % 3]! + ((j * 7919 + i * 31) % 60) - 30));
        await sharp(px, { raw: { width: 48, height: 40, channels: 3 } })
          .png()
          .toFile(join(data, split, cls, `${i}.png`));
      }
    }
  const start = join(dir, 'start.safetensors');
  await save(resnet32().stateDict(), start); // 10 classes, no metadata
  const run = join(dir, 'run');
  await exec('node', [
    cli, 'train', '--arch', 'resnet32', '--dataset', 'imagefolder', '--data-path', data, '--weights', start,
    '--crop-size', '32', '--resize-size', '36', '--epochs', '1', '--batch-size', '4', '--lr', '0.01', '--output-dir', run,
  ]); // prettier-ignore
  mkdirSync(join(dir, 'elsewhere'));
  copyFileSync(join(run, 'model.safetensors'), weights);
}, 300_000);

describe('a fine-tuned 3-class model file', () => {
  it('records architecture, classes, channels and preprocessing', async () => {
    expect(await readModelMetadata(weights)).toMatchObject({
      arch: 'resnet32',
      numClasses: 3,
      classNames: ['blue', 'green', 'red'],
      inChannels: 3,
      resizeSize: 36,
      cropSize: 32,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
  });

  it('is evaluated with no --arch', async () => {
    const { stdout, stderr } = await exec('node', [
      cli,
      'eval',
      '--weights',
      weights,
      '--dataset',
      'imagefolder',
      '--data-path',
      data,
    ]);
    expect(stderr).toMatch(/resnet32, 3 classes, from the metadata/);
    expect(stdout).toMatch(/test accuracy: [01]\.\d{4}/);
  }, 120_000);

  it('is predicted with no --arch or --classes, as classify answers', async () => {
    const paths = [image('red', 0), image('blue', 1)];
    const { stdout } = await exec('node', [cli, 'predict', '--weights', weights, ...paths]);
    const { model } = await loadModel(weights);
    const expected = await classify(model, paths, { topk: 3 });
    const lines = stdout.trim().split('\n');
    paths.forEach((path, i) => {
      const block = lines.slice(i * 4, i * 4 + 4);
      expect(block[0]).toBe(path);
      expect(block.slice(1).map((l) => l.trim().split(/\s+/)[1])).toEqual(expected[i]!.map((p) => p.label));
    });
  }, 120_000);

  it('is served with no --arch or --classes', async () => {
    const server = await startServer(weights, ['--max-batch', '2']);
    try {
      const r = await fetch(`${server.url}/v1/classify`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: await readFile(image('green', 2)),
      });
      const { predictions } = (await r.json()) as { predictions: Array<{ label: string }> };
      expect(predictions.map((p) => p.label).sort()).toEqual(['blue', 'green', 'red']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);

  it('refuses a wrong --classes, naming both sizes', async () => {
    const five = join(dir, 'five.txt');
    writeFileSync(five, 'a\nb\nc\nd\ne\n');
    for (const command of [
      ['predict', '--weights', weights, '--classes', five, image('red', 0)],
      ['serve', '--weights', weights, '--classes', five, '--port', '0'],
    ]) {
      const err = (await exec('node', [cli, ...command]).catch((e: unknown) => e)) as {
        stderr: string;
        code: number;
      };
      expect(err.code).toBe(1);
      expect(err.stderr).toMatch(/lists 5 classes but the model in .* has 3 \(resnet32\)/);
    }
    // eval on a dataset of another class count: the same refusal, not a replaced classifier.
    const err = (await exec('node', [cli, 'eval', '--weights', weights]).catch((e: unknown) => e)) as {
      stderr: string;
    };
    expect(err.stderr).toMatch(/holds a model of 3 classes but 10 were asked for/);
  }, 120_000);
});
