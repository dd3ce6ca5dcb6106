/**
 * What `predict` must print, computed independently of it: real Fashion-MNIST test images,
 * batched and normalized by the training pipeline's own test transform (so a normalization in
 * predict that drifts from training's is caught), run through the model in the library.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { buildModel } from '../../lib/cli/models.js';
import { loadData } from '../../lib/cli/datasets.js';
import { DataLoader } from '../../lib/data/dataloader.js';
import type { TensorDataset } from '../../lib/data/dataset.js';
import { noGrad } from '../../lib/index.js';

export interface TestImages {
  paths: string[];
  dataset: TensorDataset;
  classes: readonly string[];
  transform: Awaited<ReturnType<typeof loadData>>['testTransform'];
}

/** Writes the first `n` Fashion-MNIST test images as grayscale PNGs in `dir`. */
export async function writeTestImages(dir: string, n: number): Promise<TestImages> {
  const setup = await loadData({
    dataset: 'fashion-mnist',
    augment: false,
    limitTest: n,
    cropSize: 28,
    resizeSize: 28,
  });
  const dataset = setup.test as TensorDataset;
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const pixels = Buffer.from(dataset.inputs.select(0, i).dataSync() as Uint8Array);
    paths.push(join(dir, `test-${i}.png`));
    await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(paths[i]!);
  }
  return { paths, dataset, classes: setup.classes, transform: setup.testTransform };
}

/** Each image's 5 most probable classes (name and softmax probability) under the weights in `weights`. */
export async function topClasses(images: TestImages, weights: string) {
  const { model } = await buildModel('resnet20', {
    numClasses: images.classes.length,
    inChannels: 1,
    weights,
  });
  model.eval();
  const loader = new DataLoader(images.dataset, {
    batchSize: images.paths.length,
    transform: images.transform,
  });
  const { value: batch } = await loader.epoch(0)[Symbol.asyncIterator]().next();
  const { values, indices } = noGrad(() => model.forward(batch.input).softmax(1).topk(5, { dim: 1 }));
  const p = values.dataSync() as Float32Array;
  const ids = indices.dataSync() as BigInt64Array;
  return images.paths.map((_, i) =>
    Array.from({ length: 5 }, (_, r) => ({
      name: images.classes[Number(ids[i * 5 + r])]!,
      p: p[i * 5 + r]!,
    })),
  );
}

/** predict's output as { path, top: class names in printed order } per image. */
export function parsePredictions(stdout: string): { path: string; top: string[] }[] {
  const out: { path: string; top: string[] }[] = [];
  for (const line of stdout.trimEnd().split('\n')) {
    const m = /^\s+\d+\.\d{2}%\s+(\S.*)$/.exec(line);
    if (m) out.at(-1)?.top.push(m[1]!);
    else out.push({ path: line, top: [] });
  }
  return out;
}

/** Every printed percentage, in order. */
export const parsePercents = (stdout: string): number[] =>
  [...stdout.matchAll(/^\s+(\d+\.\d{2})%/gm)].map((m) => Number(m[1]));
