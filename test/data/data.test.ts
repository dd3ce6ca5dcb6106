import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { data, nn, randn, tensor, type Tensor } from '../../lib/index.js';

const { DataLoader, FashionMNIST, ImageFolder, transforms: T } = data;
const floats = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);
const F = nn.functional;

/** For each image of `crops` (N, C, s, s), the offset "top,left" of the window of `source` it equals; fails if none. */
function windowOffsets(crops: Tensor, source: Tensor): string[] {
  const [n, , s] = crops.shape as [number, number, number];
  const [, , H, W] = source.shape as [number, number, number, number];
  return Array.from({ length: n }, (_, i) => {
    const crop = floats(crops.select(0, i)).join();
    const found: string[] = [];
    for (let t = 0; t + s <= H; t++)
      for (let l = 0; l + s <= W; l++)
        if (floats(source.select(0, i).narrow(1, t, s).narrow(2, l, s)).join() === crop)
          found.push(`${t},${l}`);
    expect(found, `crop ${i} is no window of its input`).toHaveLength(1);
    return found[0]!;
  });
}

describe('FashionMNIST', () => {
  it('reads the real dataset from Debian’s package', async () => {
    const test = await FashionMNIST.load({ train: false });
    expect(test.inputs.shape).toEqual([10000, 1, 28, 28]);
    expect(test.inputs.dtype).toBe('uint8');
    expect(test.targets.dtype).toBe('int64');
    // Fashion-MNIST's test split is balanced: 1000 images per class.
    const counts = new Array(10).fill(0);
    for (const t of test.targets.dataSync() as BigInt64Array) counts[Number(t)]++;
    expect(counts).toEqual(new Array(10).fill(1000));
  });

  it('explains a missing folder', async () => {
    await expect(FashionMNIST.load({ root: '/nonexistent' })).rejects.toThrow(
      /apt-get install dataset-fashion-mnist/,
    );
  });
});

describe('DataLoader', () => {
  const ds = {
    kind: 'tensor' as const,
    inputs: tensor(
      Uint8Array.from({ length: 10 * 4 }, (_, i) => i),
      { shape: [10, 1, 2, 2] },
    ),
    targets: tensor(BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i))),
    classes: [],
    length: 10,
  };
  const collect = async (it: AsyncIterable<{ target: Tensor }>) => {
    const out: bigint[][] = [];
    for await (const b of it) out.push(Array.from(b.target.dataSync() as BigInt64Array));
    return out;
  };

  it('refuses what is not a dataset, saying what one is', () => {
    expect(() => new DataLoader([1, 2, 3] as never)).toThrow(
      /Expected a Dataset \(a TensorDataset .* or an ItemDataset such as ImageFolder\) for dataset but received an array of length 3/,
    );
  });

  it('batches, drops the last partial batch on request, scales uint8 to [0, 1]', async () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(await collect(loader.epoch(0))).toEqual([
      [0n, 1n, 2n, 3n],
      [4n, 5n, 6n, 7n],
      [8n, 9n],
    ]);
    expect(new DataLoader(ds, { batchSize: 4, dropLast: true }).length).toBe(2);
    const first = (await loader.epoch(0).next()).value!;
    expect(first.input.dtype).toBe('float32');
    expect(floats(first.input).slice(0, 3)).toEqual([0, 1 / 255, 2 / 255].map(Math.fround));
  });

  it('shuffles from a seed: same seed and epoch, same order; resumes mid-epoch exactly', async () => {
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const e1 = await collect(a.epoch(1));
    expect(await collect(b.epoch(1))).toEqual(e1);
    expect(e1.flat().sort((x, y) => Number(x - y))).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(await collect(a.epoch(2))).not.toEqual(e1);
    expect(await collect(a.epoch(1, 2))).toEqual(e1.slice(2));
  });
});

describe('transforms', () => {
  it('normalize and resize match torchvision', () => {
    const x = randn([2, 3, 10, 14]);
    const ref = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import json, sys, torch, torchvision.transforms.functional as F
x = torch.tensor(json.load(sys.stdin)).reshape(2, 3, 10, 14)
n = F.normalize(x, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3])
r = F.resize(x, 6, antialias=True)
print(json.dumps([n.flatten().tolist(), list(r.shape), r.flatten().tolist()]))`,
        ],
        { input: JSON.stringify(floats(x)), encoding: 'utf8' },
      ),
    ) as [number[], number[], number[]];
    const rng = new data.Rng(0);
    const n = T.normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]).apply(x, rng);
    floats(n).forEach((v, i) => expect(v).toBeCloseTo(ref[0][i]!, 5));
    const r = T.resize(6).apply(x, rng);
    expect(r.shape).toEqual(ref[1]);
    floats(r).forEach((v, i) => expect(v).toBeCloseTo(ref[2][i]!, 5));
  });

  it('flip flips some images and keeps the others; crops keep the shape', () => {
    const x = randn([64, 1, 5, 5]);
    const flipped = T.randomHorizontalFlip().apply(x, new data.Rng(1));
    let flips = 0;
    for (let i = 0; i < 64; i++) {
      const orig = floats(x.select(0, i));
      const out = floats(flipped.select(0, i));
      const mirrored = floats(x.select(0, i).flip(2));
      if (out.join() === mirrored.join()) flips++;
      else expect(out).toEqual(orig);
    }
    expect(flips).toBeGreaterThan(16);
    expect(flips).toBeLessThan(48);
  });

  it('random crops are windows of the (zero-)padded input, at offsets that vary', () => {
    const x = randn([64, 2, 5, 5]);
    const cropped = T.randomCrop(5, { padding: 2 }).apply(x, new data.Rng(2));
    expect(cropped.shape).toEqual([64, 2, 5, 5]);
    const offsets = windowOffsets(cropped, F.pad(x, [2, 2, 2, 2]));
    expect(new Set(offsets).size).toBeGreaterThan(8); // of the 25 possible
    // A crop of exactly size×size (scale and ratio pinned) is resized by 1: a plain window.
    const y = randn([64, 2, 8, 8]);
    const resized = T.randomResizedCrop(4, { scale: [0.25, 0.25], ratio: [1, 1] }).apply(y, new data.Rng(3));
    expect(resized.shape).toEqual([64, 2, 4, 4]);
    expect(new Set(windowOffsets(resized, y)).size).toBeGreaterThan(8);
  });
});

describe('ImageFolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'rn-imagefolder-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('decodes class-per-folder PNGs to the exact pixels', async () => {
    const pixels: Record<string, Uint8Array> = {};
    for (const [cls, seed] of [
      ['cat', 1],
      ['dog', 2],
    ] as const) {
      mkdirSync(join(root, cls));
      const raw = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37 + seed * 11) % 256);
      await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
        .png()
        .toFile(join(root, cls, 'a.png'));
      pixels[cls] = raw;
    }
    const ds = new ImageFolder(root, { mode: 'eval', resizeSize: 8, cropSize: 8 });
    expect(ds.classes).toEqual(['cat', 'dog']);
    const sample = await ds.get(1, new data.Rng(0));
    expect(sample.target).toBe(1);
    expect(sample.shape).toEqual([3, 8, 8]);
    // CHW from HWC: channel 0 of pixel 0 is raw[0], channel 1 of pixel 0 is raw[1].
    expect(sample.pixels[0]).toBe(pixels['dog']![0]);
    expect(sample.pixels[64]).toBe(pixels['dog']![1]);
    const loader = new DataLoader(ds, { batchSize: 2 });
    const batch = (await loader.epoch(0).next()).value!;
    expect(batch.input.shape).toEqual([2, 3, 8, 8]);
  });
});
