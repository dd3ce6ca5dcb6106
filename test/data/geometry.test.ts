/**
 * One resize rule, torchvision's, for the batch transforms, ImageFolder and predict (which
 * shares ImageFolder's resizeCenterCrop). The expected numbers are torchvision 0.14's:
 * `F.resize(zeros(1, 200, 301), 100).shape` is (1, 100, 150) (floor, not round), and
 * `F.center_crop` of a 257-wide row to 224 starts at 16 (Python's round(16.5) is 16).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { centerOffset, resizedSize } from '../../lib/data/transforms/geometry.js';
import { arange, data } from '../../lib/index.js';

const root = mkdtempSync(join(tmpdir(), 'rn-geometry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("torchvision's resize and center-crop arithmetic", () => {
  it('floors the longer side and rounds crop offsets half to even', () => {
    expect(resizedSize(200, 301, 100)).toEqual([100, 150]);
    expect(resizedSize(301, 200, 100)).toEqual([150, 100]);
    expect(centerOffset(257, 224)).toBe(16);
    expect(centerOffset(259, 224)).toBe(18); // round(17.5) = 18
    expect(centerOffset(256, 224)).toBe(16);
  });

  it('centerCrop takes the window torchvision takes', () => {
    const row = arange(257, { dtype: 'float32' }).reshape([1, 1, 1, 257]);
    const x = row.expand([1, 1, 230, 257]).contiguous();
    const first = data.transforms.centerCrop(224).apply(x, new data.Rng(0)).dataSync()[0];
    expect(first).toBe(16);
  });

  it("ImageFolder's eval mode resizes a 301×200 image to 150×100 and crops at 25", async () => {
    mkdirSync(join(root, 'a'));
    const raw = Uint8Array.from({ length: 301 * 200 * 3 }, (_, i) => (i * 7) % 256);
    const file = join(root, 'a', 'x.png');
    await sharp(raw, { raw: { width: 301, height: 200, channels: 3 } })
      .png()
      .toFile(file);
    const ds = new data.ImageFolder(root, { mode: 'eval', resizeSize: 100, cropSize: 100 });
    const sample = await ds.get(0, new data.Rng(0));
    const expected = await sharp(file)
      .removeAlpha()
      .toColourspace('srgb')
      .resize(150, 100, { fit: 'fill', kernel: 'linear' })
      .extract({ left: 25, top: 0, width: 100, height: 100 })
      .raw()
      .toBuffer();
    // The sample is CHW, sharp's HWC: compare channel 0.
    const channel0 = Uint8Array.from({ length: 100 * 100 }, (_, i) => expected[3 * i]!);
    expect(Buffer.from(sample.pixels.subarray(0, 100 * 100)).equals(Buffer.from(channel0))).toBe(true);
  });
});
