/**
 * Preprocessing presets: torchvision's eval transforms for its ImageNet weights, and the
 * defaults this library assumes for a model file that does not say its own.
 */
import { cifar10Classes } from '../data/cifar10.js';
import { fashionMnistClasses } from '../data/fashion_mnist.js';
import { imagenetMean, imagenetStd } from '../data/transforms/index.js';
import { normalization } from '../cli/normalization.js';
import imagenetClasses from '../cli/imagenet_classes.json' with { type: 'json' };
import type { ArchConfig, Preprocessing } from '../model_file/metadata.js';

/** torchvision's ImageNet eval preset of its V1 weights: resize 256, center crop 224, ImageNet mean and std. */
export const imagenetEval: Preprocessing = Object.freeze({
  resizeSize: 256,
  cropSize: 224,
  mean: imagenetMean,
  std: imagenetStd,
});

/** torchvision's eval preset of its V2 (IMAGENET1K_V2) weights: resize 232, center crop 224. */
export const imagenetEvalV2: Preprocessing = Object.freeze({ ...imagenetEval, resizeSize: 232 });

/** The ImageNet class names, by index, of torchvision's 1000-class weights. */
export const imagenetClassNames: readonly string[] = imagenetClasses;

/**
 * The preprocessing assumed for a model that does not record its own: ImageNet's for
 * torchvision's family, Fashion-MNIST's (28 px) for a grayscale CIFAR net, CIFAR-10's (32 px)
 * for an RGB one.
 */
export function defaultPreprocessing(config: ArchConfig, inChannels: number): Preprocessing {
  if (config.family === 'resnet' && inChannels === 3) return imagenetEval;
  if (config.family === 'cifar' && inChannels === 1)
    return { resizeSize: 28, cropSize: 28, ...normalization['fashion-mnist'] };
  if (config.family === 'cifar' && inChannels === 3)
    return { resizeSize: 32, cropSize: 32, ...normalization.cifar10 };
  const size = config.family === 'cifar' ? 32 : 224;
  const half = Array.from({ length: inChannels }, () => 0.5);
  return { resizeSize: size, cropSize: size, mean: half, std: half };
}

/** Class names assumed for a model that does not record its own. */
export function defaultClassNames(config: ArchConfig, numClasses: number, inChannels: number): string[] {
  if (numClasses === 1000) return [...imagenetClassNames];
  if (config.family === 'cifar' && numClasses === 10)
    return [...(inChannels === 1 ? fashionMnistClasses : cifar10Classes)];
  return Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}
