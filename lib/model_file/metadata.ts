/**
 * Self-describing weights: what a model file must say so that it can be used with no flags
 * (architecture, classes, input channels, preprocessing, library version), as string entries of
 * safetensors' `__metadata__`. Lists and structures are JSON strings, since safetensors allows
 * only strings there.
 */
import { FormatError } from '../errors.js';

/** The preprocessing a model expects: torchvision's eval transform (resize, center crop, normalize). */
export interface Preprocessing {
  /** The shorter side is resized to this before the center crop (torchvision: 256, or 232 for V2 weights). */
  resizeSize: number;
  /** Side of the square center crop fed to the network (224 for ImageNet models). */
  cropSize: number;
  /** Per-channel mean subtracted after scaling pixels to [0, 1]. */
  mean: readonly number[];
  /** Per-channel standard deviation divided by after subtracting `mean`. */
  std: readonly number[];
}

/** How to rebuild the network exactly: a torchvision `ResNet` or a CIFAR `CifarResNet`. */
export type ArchConfig =
  | {
      family: 'resnet';
      block: 'BasicBlock' | 'Bottleneck';
      layers: [number, number, number, number];
      groups: number;
      widthPerGroup: number;
      replaceStrideWithDilation: [boolean, boolean, boolean];
    }
  | { family: 'cifar'; blocksPerStage: number; shortcut: 'A' | 'B'; plain: boolean };

/** Everything a resnet-native model file says about itself. */
export interface ModelMetadata extends Preprocessing {
  /** The architecture's name, as `--arch` spells it (`resnet50`, `resnet20`, ...), or `custom`. */
  arch: string;
  /** The exact structure, so that a custom ResNet (e.g. `new ResNet(BasicBlock, [1, 1, 1, 1])`) rebuilds too. */
  archConfig: ArchConfig;
  /** Outputs of the classifier. */
  numClasses: number;
  /** Class names by index (`numClasses` of them). */
  classNames: readonly string[];
  /** Channels of the input images (3 RGB, 1 grayscale). */
  inChannels: number;
  /** resnet-native's version that wrote the file. */
  libraryVersion: string;
}

/** The `format` entry of a model file (a training checkpoint has its own). */
export const MODEL_FORMAT = 'resnet-native-model/1';

const KEYS = {
  arch: 'arch',
  archConfig: 'arch_config',
  numClasses: 'num_classes',
  classNames: 'class_names',
  inChannels: 'in_channels',
  mean: 'mean',
  std: 'std',
  resizeSize: 'resize_size',
  cropSize: 'crop_size',
  libraryVersion: 'resnet_native_version',
} as const;

/** The `__metadata__` entries of `m` (plus `format`). */
export function encodeMetadata(m: ModelMetadata): Record<string, string> {
  return {
    model_format: MODEL_FORMAT,
    [KEYS.arch]: m.arch,
    [KEYS.archConfig]: JSON.stringify(m.archConfig),
    [KEYS.numClasses]: String(m.numClasses),
    [KEYS.classNames]: JSON.stringify(m.classNames),
    [KEYS.inChannels]: String(m.inChannels),
    [KEYS.mean]: JSON.stringify(m.mean),
    [KEYS.std]: JSON.stringify(m.std),
    [KEYS.resizeSize]: String(m.resizeSize),
    [KEYS.cropSize]: String(m.cropSize),
    [KEYS.libraryVersion]: m.libraryVersion,
  };
}

/** The model metadata in `raw` (a file's `__metadata__`), or undefined when it has none; `where` names the file in errors. */
export function decodeMetadata(
  raw: Readonly<Record<string, string>>,
  where: string,
): ModelMetadata | undefined {
  if (raw['model_format'] === undefined) return undefined;
  if (raw['model_format'] !== MODEL_FORMAT)
    throw new FormatError(
      `${where}: expected model_format ${MODEL_FORMAT} but received ${raw['model_format']} (written by a newer resnet-native?)`,
    );
  const get = (key: keyof typeof KEYS): string => {
    const v = raw[KEYS[key]];
    if (v === undefined) throw new FormatError(`${where}: metadata entry ${KEYS[key]} is missing`);
    return v;
  };
  const json = (key: keyof typeof KEYS): unknown => {
    try {
      return JSON.parse(get(key));
    } catch (err) {
      throw new FormatError(`${where}: metadata entry ${KEYS[key]} is not valid JSON`, { cause: err });
    }
  };
  const int = (key: keyof typeof KEYS): number => {
    const n = Number(get(key));
    if (!Number.isSafeInteger(n) || n < 1)
      throw new FormatError(
        `${where}: metadata entry ${KEYS[key]}: expected a positive integer but received ${get(key)}`,
      );
    return n;
  };
  const numbers = (key: keyof typeof KEYS, length: number): number[] => {
    const v = json(key);
    if (
      !Array.isArray(v) ||
      v.length !== length ||
      !v.every((x) => typeof x === 'number' && Number.isFinite(x))
    )
      throw new FormatError(
        `${where}: metadata entry ${KEYS[key]}: expected ${length} numbers but received ${get(key)}`,
      );
    return v as number[];
  };
  const numClasses = int('numClasses');
  const inChannels = int('inChannels');
  const classNames = json('classNames');
  if (
    !Array.isArray(classNames) ||
    classNames.length !== numClasses ||
    !classNames.every((c) => typeof c === 'string')
  )
    throw new FormatError(
      `${where}: metadata entry class_names: expected ${numClasses} strings (num_classes) but received ${get('classNames').slice(0, 80)}`,
    );
  const archConfig = json('archConfig');
  if (
    typeof archConfig !== 'object' ||
    archConfig === null ||
    !['resnet', 'cifar'].includes((archConfig as { family?: string }).family ?? '')
  )
    throw new FormatError(
      `${where}: metadata entry arch_config: expected a resnet or cifar structure but received ${get('archConfig')}`,
    );
  return {
    arch: get('arch'),
    archConfig: archConfig as ArchConfig,
    numClasses,
    classNames: classNames as string[],
    inChannels,
    mean: numbers('mean', inChannels),
    std: numbers('std', inChannels),
    resizeSize: int('resizeSize'),
    cropSize: int('cropSize'),
    libraryVersion: get('libraryVersion'),
  };
}
