/** Datasets by name with their normalization and augmentation presets. */
import { normalization } from './normalization.js';
import { CIFAR10 } from '../data/cifar10.js';
import type { Dataset, TensorDataset } from '../data/dataset.js';
import { FashionMNIST } from '../data/fashion_mnist.js';
import { ImageFolder } from '../data/image_folder.js';
import * as T from '../data/transforms/index.js';
import type { Transform } from '../data/transforms/transform.js';
import { join } from 'node:path';

export type DatasetName = 'fashion-mnist' | 'cifar10' | 'imagefolder';

export interface DataSetup {
  train: Dataset;
  test: Dataset;
  classes: readonly string[];
  inChannels: number;
  trainTransform: Transform;
  testTransform: Transform;
}

/** The first `n` examples of an in-memory dataset (for quick runs and tests). */
function limit(ds: TensorDataset, n: number | undefined): TensorDataset {
  if (n === undefined || n >= ds.length) return ds;
  return {
    kind: 'tensor',
    inputs: ds.inputs.narrow(0, 0, n),
    targets: ds.targets.narrow(0, 0, n),
    classes: ds.classes,
    length: n,
  };
}

export interface DataOptions {
  dataset: DatasetName;
  dataPath?: string | undefined;
  augment: boolean;
  /** Random-crop padding for the 28×28 and 32×32 datasets (default 0 for Fashion-MNIST, 4 for CIFAR-10). */
  cropPadding?: number | undefined;
  /** Probability of random erasing on training batches (default 0: none). */
  randomErase?: number | undefined;
  limitTrain?: number | undefined;
  limitTest?: number | undefined;
  cropSize: number;
  resizeSize: number;
}

/** A padded random crop back to `size`, or nothing when the padding is 0. */
const crop = (size: number, padding: number): Transform[] =>
  padding > 0 ? [T.randomCrop(size, { padding })] : [];

/**
 * The training pipeline: the dataset's geometric augmentations, then normalization, then random
 * erasing (torchvision's reference order); only normalization without `augment`.
 */
function trainPipeline(o: DataOptions, geometric: Transform[], norm: Transform): Transform {
  if (!o.augment) return norm;
  const p = o.randomErase ?? 0;
  return T.compose([...geometric, norm, ...(p > 0 ? [T.randomErasing(p)] : [])]);
}

export async function loadData(o: DataOptions): Promise<DataSetup> {
  if (o.dataset === 'fashion-mnist') {
    const root = o.dataPath === undefined ? {} : { root: o.dataPath };
    const [train, test] = await Promise.all([
      FashionMNIST.load({ ...root, train: true }),
      FashionMNIST.load({ ...root, train: false }),
    ]);
    const norm = T.normalize(normalization['fashion-mnist'].mean, normalization['fashion-mnist'].std);
    return {
      train: limit(train, o.limitTrain),
      test: limit(test, o.limitTest),
      classes: train.classes,
      inChannels: 1,
      trainTransform: trainPipeline(o, [...crop(28, o.cropPadding ?? 0), T.randomHorizontalFlip()], norm),
      testTransform: norm,
    };
  }
  if (o.dataset === 'cifar10') {
    if (o.dataPath === undefined)
      throw new Error('--data-path must name the folder of CIFAR-10 (binary version)');
    const [train, test] = await Promise.all([
      CIFAR10.load({ root: o.dataPath, train: true }),
      CIFAR10.load({ root: o.dataPath, train: false }),
    ]);
    const norm = T.normalize(normalization.cifar10.mean, normalization.cifar10.std);
    return {
      train: limit(train, o.limitTrain),
      test: limit(test, o.limitTest),
      classes: train.classes,
      inChannels: 3,
      trainTransform: trainPipeline(o, [...crop(32, o.cropPadding ?? 4), T.randomHorizontalFlip()], norm),
      testTransform: norm,
    };
  }
  if (o.dataPath === undefined)
    throw new Error('--data-path must name a folder with train/ and val/ subfolders');
  const sizes = { cropSize: o.cropSize, resizeSize: o.resizeSize };
  const train = new ImageFolder(join(o.dataPath, 'train'), { mode: o.augment ? 'train' : 'eval', ...sizes });
  const test = new ImageFolder(join(o.dataPath, 'val'), { mode: 'eval', ...sizes });
  // ImageNet statistics: the preset of torchvision's weights, right for fine-tuning them.
  const norm = T.normalize([...T.imagenetMean], [...T.imagenetStd]);
  return {
    train,
    test,
    classes: train.classes,
    inChannels: 3,
    trainTransform: trainPipeline(o, [T.randomHorizontalFlip()], norm),
    testTransform: norm,
  };
}
