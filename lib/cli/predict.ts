/** `resnet-native predict`: the top-5 classes of each image, with class names. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { fashionMnistClasses } from '../data/fashion_mnist.js';
import { cifar10Classes } from '../data/cifar10.js';
import { imagenetMean, imagenetStd } from '../data/transforms/index.js';
import { tensor } from '../creation.js';
import { resolveDevice } from '../device.js';
import { resizeCenterCrop } from '../data/image_resize.js';
import { noGrad, tidy } from '../runtime.js';
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

/** Decodes `path` to a normalized (1, C, crop, crop) float tensor (resize shorter side, center crop). */
async function loadImage(path: string, p: Preset) {
  const [resize, crop] = p.size;
  const buf = await readFile(path);
  const { width: W = 0, height: H = 0 } = await sharp(buf)
    .metadata()
    .catch((err: unknown) => {
      throw new Error(`${path} is not an image that can be read (${(err as Error).message})`, { cause: err });
    });
  const img = sharp(buf);
  const base = p.channels === 1 ? img.grayscale() : img.removeAlpha().toColourspace('srgb');
  const { data } = await resizeCenterCrop(base, W, H, resize, crop)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const c = p.channels;
  const out = new Float32Array(c * crop * crop);
  for (let i = 0; i < crop * crop; i++)
    for (let k = 0; k < c; k++) out[k * crop * crop + i] = (data[i * c + k]! / 255 - p.mean[k]!) / p.std[k]!;
  return tensor(out, { shape: [1, c, crop, crop] });
}

/** Prints the top-5 classes of each image; flags not `given` (typed by the user) come from the run's config.json when there is one. */
export async function predict(
  images: string[],
  flags: PredictFlags,
  given: (flag: keyof PredictFlags) => boolean,
): Promise<void> {
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
  const classes =
    f.classes !== undefined
      ? (await readFile(f.classes, 'utf8')).split('\n').filter(Boolean)
      : (f.runClasses ?? p.classes);
  const { model } = await buildModel(f.arch, {
    numClasses: classes.length,
    inChannels: p.channels,
    weights: f.weights,
    weightsKey: f.weightsKey,
  });
  model.eval().to(device);
  for (const path of images) {
    const x = await loadImage(path, p);
    const { values, indices } = noGrad(() =>
      tidy(() => model.forward(x.to(device)).softmax(1).topk(Math.min(5, classes.length), { dim: 1 })),
    );
    const probs = values.dataSync() as Float32Array;
    const ids = indices.dataSync() as BigInt64Array;
    console.log(path);
    ids.forEach((id, r) =>
      console.log(`  ${(100 * probs[r]!).toFixed(2).padStart(6)}%  ${classes[Number(id)] ?? `class ${id}`}`),
    );
    x.dispose();
  }
}
