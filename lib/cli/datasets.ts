/** Datasets by name with their normalization and augmentation presets. */
import { normalization } from './normalization.js';
import { CIFAR10 } from '../data/cifar10.js';
import type { Dataset, ItemDataset, TensorDataset } from '../data/dataset.js';
import { ArgumentError } from '../errors.js';
import { FashionMNIST } from '../data/fashion_mnist.js';
import { ImageFolder } from '../data/image_folder.js';
import * as T from '../data/transforms/index.js';
import type { Transform } from '../data/transforms/transform.js';
import type { AutoAugmentPolicy } from '../data/transforms/augment_policies.js';
import { join } from 'node:path';
import type { Preprocessing } from '../model_file/metadata.js';

export type DatasetName = 'fashion-mnist' | 'cifar10' | 'imagefolder';
/** torchvision train.py's --auto-augment values (augmix is not implemented). */
export type AutoAugmentFlag = 'ta_wide' | 'ra' | AutoAugmentPolicy;

/** What evaluation needs: the test split and how to prepare it. */
export interface TestSetup {
  test: Dataset;
  classes: readonly string[];
  inChannels: number;
  testTransform: Transform;
  /** How an image becomes this dataset's input: what the model file records for predict and serve. */
  preprocessing: Preprocessing;
}

/** What training needs: both splits and their pipelines. */
export interface DataSetup extends TestSetup {
  train: Dataset;
  trainTransform: Transform;
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

/**
 * `n` examples of a dataset read item by item, spread evenly over it: an ImageFolder lists its
 * files class by class, so its first `n` would often be one class only.
 */
function limitItems(ds: ItemDataset, n: number | undefined): ItemDataset {
  if (n === undefined || n >= ds.length) return ds;
  const index = (i: number) => Math.floor((i * ds.length) / n);
  return {
    kind: 'items',
    classes: ds.classes,
    length: n,
    get: async (i, rng) => {
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new ArgumentError(`Index ${i} is outside the dataset (length ${n})`);
      return ds.get(index(i), rng);
    },
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
  /** torchvision's --auto-augment, between the geometric augmentations and normalization. */
  autoAugment?: AutoAugmentFlag | undefined;
  /** RandAugment's magnitude bin (--ra-magnitude). */
  raMagnitude?: number | undefined;
  limitTrain?: number | undefined;
  limitTest?: number | undefined;
  cropSize: number;
  resizeSize: number;
  /** torchvision's --train-crop-size, --val-crop-size, --val-resize-size (default: cropSize, resizeSize). */
  trainCropSize?: number | undefined;
  valCropSize?: number | undefined;
  valResizeSize?: number | undefined;
}

/** A padded random crop back to `size`, or nothing when the padding is 0. */
const crop = (size: number, padding: number): Transform[] =>
  padding > 0 ? [T.randomCrop(size, { padding })] : [];

/**
 * The --auto-augment transform, as torchvision's ClassificationPresetTrain builds it, with
 * train.py's default --interpolation (bilinear) for the geometric ops.
 */
function autoAugmentOf(o: DataOptions): Transform[] {
  const interpolation = 'bilinear';
  if (o.autoAugment === undefined) return [];
  if (o.autoAugment === 'ta_wide') return [T.trivialAugmentWide({ interpolation })];
  if (o.autoAugment === 'ra') return [T.randAugment({ magnitude: o.raMagnitude ?? 9, interpolation })];
  return [T.autoAugment(o.autoAugment, { interpolation })];
}

/**
 * The training pipeline: the dataset's geometric augmentations, then --auto-augment, then
 * normalization, then random erasing (torchvision's reference order); only normalization
 * without `augment`.
 */
function trainPipeline(o: DataOptions, geometric: Transform[], norm: Transform): Transform {
  if (!o.augment) return norm;
  const p = o.randomErase ?? 0;
  return T.compose([...geometric, ...autoAugmentOf(o), norm, ...(p > 0 ? [T.randomErasing(p)] : [])]);
}

/** A dataset's splits, loaded on demand, with its normalization and augmentations. */
interface Source {
  inChannels: number;
  preprocessing: Preprocessing;
  norm: Transform;
  geometric: Transform[];
  load(train: boolean): Promise<Dataset>;
}

function source(o: DataOptions): Source {
  const limits = (train: boolean) => (train ? o.limitTrain : o.limitTest);
  if (o.dataset === 'fashion-mnist') {
    const root = o.dataPath === undefined ? {} : { root: o.dataPath };
    const { mean, std } = normalization['fashion-mnist'];
    return {
      inChannels: 1,
      preprocessing: { resizeSize: 28, cropSize: 28, mean, std },
      norm: T.normalize(mean, std),
      geometric: [...crop(28, o.cropPadding ?? 0), T.randomHorizontalFlip()],
      load: async (train) => limit(await FashionMNIST.load({ ...root, train }), limits(train)),
    };
  }
  if (o.dataset === 'cifar10') {
    const root = o.dataPath;
    if (root === undefined)
      throw new Error('--data-path must name the folder of CIFAR-10 (binary or Python version)');
    return {
      inChannels: 3,
      preprocessing: { resizeSize: 32, cropSize: 32, ...normalization.cifar10 },
      norm: T.normalize(normalization.cifar10.mean, normalization.cifar10.std),
      geometric: [...crop(32, o.cropPadding ?? 4), T.randomHorizontalFlip()],
      load: async (train) => limit(await CIFAR10.load({ root, train }), limits(train)),
    };
  }
  const root = o.dataPath;
  if (root === undefined)
    throw new Error('--data-path must name a folder with val/ (and, to train, train/) subfolders');
  const sizes = (train: boolean) =>
    train
      ? { cropSize: o.trainCropSize ?? o.cropSize, resizeSize: o.resizeSize }
      : { cropSize: o.valCropSize ?? o.cropSize, resizeSize: o.valResizeSize ?? o.resizeSize };
  return {
    inChannels: 3,
    // what a model trained here records for inference: the evaluation sizes
    preprocessing: { ...sizes(false), mean: T.imagenetMean, std: T.imagenetStd },
    // ImageNet statistics: the preset of torchvision's weights, right for fine-tuning them.
    norm: T.normalize([...T.imagenetMean], [...T.imagenetStd]),
    geometric: [T.randomHorizontalFlip()],
    load: async (train) =>
      limitItems(
        new ImageFolder(join(root, train ? 'train' : 'val'), {
          mode: train && o.augment ? 'train' : 'eval',
          ...sizes(train),
        }),
        limits(train),
      ),
  };
}

/** Only the test split: evaluation reads no training data. */
export async function loadTestData(o: DataOptions): Promise<TestSetup> {
  const s = source(o);
  const test = await s.load(false);
  return {
    test,
    classes: test.classes,
    inChannels: s.inChannels,
    testTransform: s.norm,
    preprocessing: s.preprocessing,
  };
}

export async function loadData(o: DataOptions): Promise<DataSetup> {
  const s = source(o);
  const [train, test] = await Promise.all([s.load(true), s.load(false)]);
  return {
    train,
    test,
    classes: train.classes,
    inChannels: s.inChannels,
    preprocessing: s.preprocessing,
    trainTransform: trainPipeline(o, s.geometric, s.norm),
    testTransform: s.norm,
  };
}
