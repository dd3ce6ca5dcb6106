/** `resnet-native predict`: the top-5 classes of each image, with class names. */
import { readFile } from 'node:fs/promises';
import { fashionMnistClasses } from '../data/fashion_mnist.js';
import { cifar10Classes } from '../data/cifar10.js';
import { imagenetMean, imagenetStd } from '../data/transforms/index.js';
import { resolveDevice } from '../device.js';
import type { Device } from '../dtype.js';
import { readModelMetadata, loadModel } from '../model_file/load_model.js';
import type { ModelMetadata, Preprocessing } from '../model_file/metadata.js';
import type { Module } from '../nn/module.js';
import { noGrad, tidy } from '../runtime.js';
import { batchImages, preprocessImage } from '../preprocess/to_tensor.js';
import { buildModel } from './models.js';
import { normalization } from './normalization.js';
import { withRunDefaults } from './predict_defaults.js';
import imagenetClasses from './imagenet_classes.json' with { type: 'json' };

export interface PredictFlags {
  arch: string;
  weights: string;
  weightsKey?: string;
  dataset?: 'fashion-mnist' | 'cifar10' | 'imagenet';
  classes?: string;
  resizeSize: number;
  cropSize: number;
  /** cpu (the default), cuda or cuda:N. */
  device?: string;
}

interface Preset {
  classes: readonly string[];
  channels: 1 | 3;
  size: [resize: number, crop: number];
  mean: readonly number[];
  std: readonly number[];
}

function preset(f: PredictFlags): Preset {
  if (f.dataset === 'fashion-mnist')
    return { classes: fashionMnistClasses, channels: 1, size: [28, 28], ...normalization['fashion-mnist'] };
  if (f.dataset === 'cifar10')
    return {
      classes: cifar10Classes,
      channels: 3,
      size: [32, 32],
      ...normalization.cifar10,
    };
  // torchvision's ImageNet preset: resize the shorter side, center-crop, ImageNet statistics.
  return {
    classes: imagenetClasses,
    channels: 3,
    size: [f.resizeSize, f.cropSize],
    mean: imagenetMean,
    std: imagenetStd,
  };
}

/** Class names from a --classes file, one per line. */
async function readClasses(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter(Boolean);
}

/** Prints `path` and its top classes as `  12.34%  name` lines. */
function printTop(
  path: string,
  probs: ArrayLike<number>,
  ids: ArrayLike<number>,
  classes: readonly string[],
) {
  console.log(path);
  for (let r = 0; r < probs.length; r++)
    console.log(`  ${(100 * probs[r]!).toFixed(2).padStart(6)}%  ${classes[ids[r]!] ?? `class ${ids[r]}`}`);
}

/**
 * Prints the top-5 classes of each image. A model file that describes itself (written by
 * `train` or `saveModel`) gives architecture, classes and preprocessing; otherwise flags not
 * `given` come from the run's config.json when there is one.
 */
export async function predict(
  images: string[],
  flags: PredictFlags,
  given: (flag: keyof PredictFlags) => boolean,
): Promise<void> {
  resolveDevice('--device', flags.device ?? 'cpu'); // a bad device fails before any file is read
  const recorded = await readModelMetadata(flags.weights);
  if (recorded !== undefined && !given('arch') && !given('dataset') && flags.weightsKey === undefined)
    return predictDescribed(images, flags, given, recorded);
  const f = await withRunDefaults(flags, given, (line) => console.error(`predict: ${line}`));
  // The 28×28 and 32×32 presets have fixed sizes: a size flag there would do nothing.
  for (const [flag, name] of [
    ['resizeSize', '--resize-size'],
    ['cropSize', '--crop-size'],
  ] as const)
    if (given(flag) && f.dataset !== 'imagenet')
      throw new Error(
        `${name} is used only by --dataset imagenet (${f.dataset} images are ${preset(f).size[1]} pixels)`,
      );
  const device = resolveDevice('--device', f.device ?? 'cpu');
  const p = preset(f);
  const classes = f.classes !== undefined ? await readClasses(f.classes) : (f.runClasses ?? p.classes);
  const { model } = await buildModel(f.arch, {
    numClasses: classes.length,
    inChannels: p.channels,
    weights: f.weights,
    weightsKey: f.weightsKey,
  });
  model.eval().to(device);
  await printPredictions(
    images,
    model,
    { resizeSize: p.size[0], cropSize: p.size[1], mean: p.mean, std: p.std },
    classes,
    device,
  );
}

/** Decodes each image as `pre` says and prints its top-5 classes. */
async function printPredictions(
  images: string[],
  model: Module,
  pre: Preprocessing,
  classes: readonly string[],
  device: Device,
) {
  for (const path of images) {
    const chw = await preprocessImage(await readFile(path), pre).catch(named(path));
    const x = batchImages([chw], [pre.mean.length, pre.cropSize, pre.cropSize]);
    const { values, indices } = noGrad(() =>
      tidy(() => model.forward(x.to(device)).softmax(1).topk(Math.min(5, classes.length), { dim: 1 })),
    );
    const ids = Array.from(indices.dataSync() as BigInt64Array, Number);
    printTop(path, values.dataSync() as Float32Array, ids, classes);
    x.dispose();
  }
}

/** Errors of an image named by its path. */
const named = (path: string) => (err: unknown) => {
  throw new Error(`${path} is not an image that can be read (${(err as Error).message})`, { cause: err });
};

/** predict with everything from the model file's metadata; --classes and the size flags still override. */
async function predictDescribed(
  images: string[],
  f: PredictFlags,
  given: (flag: keyof PredictFlags) => boolean,
  recorded: ModelMetadata,
): Promise<void> {
  const classes = f.classes !== undefined ? await readClasses(f.classes) : recorded.classNames;
  if (classes.length !== recorded.numClasses)
    throw new Error(
      `--classes ${f.classes} lists ${classes.length} classes but the model in ${f.weights} has ${recorded.numClasses} (${recorded.arch}); a classifier is replaced only when fine-tuning (train --weights)`,
    );
  const { model, metadata } = await loadModel(f.weights);
  const pre = {
    ...metadata,
    ...(given('resizeSize') ? { resizeSize: f.resizeSize } : {}),
    ...(given('cropSize') ? { cropSize: f.cropSize } : {}),
  };
  console.error(`predict: ${metadata.arch}, ${metadata.numClasses} classes, preprocessing from ${f.weights}`);
  const device = resolveDevice('--device', f.device ?? 'cpu');
  model.eval().to(device);
  await printPredictions(images, model, pre, classes, device);
}
