/**
 * Image preprocessing against torchvision (Resize + CenterCrop + ToTensor + Normalize on PIL),
 * on images the reference script wrote; decoding errors; classify; sharp loaded lazily.
 *
 * PIL and libvips resample differently (both antialiased bilinear, with other kernel supports
 * and rounding), so a resized image is close, not equal: the tolerance (test/tolerances.json,
 * torchvisionPreprocess) is stated in normalized units, and the measured differences are printed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ImageError, classify, decodeImage, imagenetEval, imagenetEvalV2, preprocess, preprocessImage, resnet20,
} from '../../lib/index.js'; // prettier-ignore
import { loadReference } from '../helpers/reference.js';

const TOLERANCES = JSON.parse(readFileSync(new URL('../tolerances.json', import.meta.url), 'utf8')) as Record<
  string,
  { atol: number; meanAtol: number }
>;
const ref = await loadReference('preprocess');

interface Case { name: string; file: string; resizeSize: number; cropSize: number; mean: number[]; std: number[] } // prettier-ignore

describe('preprocessImage against torchvision on PIL', () => {
  for (const c of ref.meta.cases as Case[]) {
    it(`${c.name}: resize ${c.resizeSize}, crop ${c.cropSize}`, async () => {
      const got = await preprocessImage(join(ref.dir, c.file), c);
      const image = await decodeImage(join(ref.dir, c.file));
      const enlarged = Math.min(image.width, image.height) < c.resizeSize;
      const TOL = TOLERANCES[enlarged ? 'torchvisionPreprocessUpscale' : 'torchvisionPreprocess']!;
      const want = ref.tensor(c.name).dataSync() as Float32Array;
      expect(got.length).toBe(want.length);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < got.length; i++) {
        const d = Math.abs(got[i]! - want[i]!);
        max = Math.max(max, d);
        sum += d;
      }
      console.log(
        `[preprocess] ${c.name}: max |diff| ${max.toFixed(4)}, mean ${(sum / got.length).toFixed(5)} (normalized units)`,
      );
      if (c.resizeSize === c.cropSize && c.name.startsWith('identity')) expect(max).toBeLessThan(1e-6);
      expect(max).toBeLessThanOrEqual(TOL.atol);
      expect(sum / got.length).toBeLessThanOrEqual(TOL.meanAtol);
    });
  }
});

describe('image preprocessing', () => {
  it("has torchvision's presets", () => {
    expect(imagenetEval).toEqual({
      resizeSize: 256,
      cropSize: 224,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
    expect(imagenetEvalV2.resizeSize).toBe(232);
  });

  it('decodes from a path and from a Buffer alike, and batches', async () => {
    const path = join(ref.dir, 'small_36_32.png');
    const a = await decodeImage(path);
    const b = await decodeImage(readFileSync(path));
    expect([a.width, a.height, a.channels]).toEqual([48, 40, 3]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    const preset = { resizeSize: 36, cropSize: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const x = await preprocess([path, readFileSync(path)], preset);
    expect(x.shape).toEqual([2, 3, 32, 32]);
    x.dispose();
  });

  it('names an input that is not an image, and one over the pixel limit', async () => {
    const notImage = await decodeImage(Buffer.from('hello')).catch((e: unknown) => e);
    expect(notImage).toBeInstanceOf(ImageError);
    expect((notImage as ImageError).reason).toBe('not_an_image');
    const big = await decodeImage(join(ref.dir, 'landscape_256_224.png'), { maxPixels: 1000 }).catch(
      (e: unknown) => e,
    );
    expect((big as ImageError).reason).toBe('image_too_large');
    expect((big as Error).message).toMatch(/400×300 = 120000 pixels; the limit is 1000/);
  });

  it('classify returns the top-k { label, index, score } of each image, CIFAR-10 names for a 10-class resnet20', async () => {
    const paths = ['small_36_32.png', 'landscape_256_224.png'].map((f) => join(ref.dir, f));
    const out = await classify(resnet20(), paths, { topk: 3 });
    expect(out).toHaveLength(2);
    for (const preds of out) {
      expect(preds).toHaveLength(3);
      expect(preds[0]!.score).toBeGreaterThanOrEqual(preds[2]!.score);
      expect([
        'airplane',
        'automobile',
        'bird',
        'cat',
        'deer',
        'dog',
        'frog',
        'horse',
        'ship',
        'truck',
      ]).toContain(preds[0]!.label);
    }
  }, 60_000);

  it('import { resnet50 } loads no sharp; decoding an image does', () => {
    const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      const { resnet50, decodeImage } = await import(${JSON.stringify(dist)});
      const loaded = () => process.report.getReport().sharedObjects.some((s) => /sharp|libvips/.test(s));
      const before = loaded();
      resnet50;
      await decodeImage(${JSON.stringify(join(ref.dir, 'small_36_32.png'))});
      console.log(JSON.stringify([before, loaded()]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([false, true]);
  }, 60_000);
});
