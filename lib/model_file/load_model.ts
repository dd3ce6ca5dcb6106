/**
 * `saveModel` and `loadModel`: weights files that describe themselves, so that eval, predict,
 * classify and serve need no architecture, class or preprocessing flags.
 */
import { describe } from '../describe.js';
import { ArgumentError, FormatError, StateDictError } from '../errors.js';
import { withFileSource } from '../io/file.js';
import { headerLength, parseHeader } from '../io/safetensors.js';
import { load, save, type StateDict } from '../io/weights.js';
import type { Module } from '../nn/module.js';
import { defaultClassNames, defaultPreprocessing } from '../preprocess/presets.js';
import { modelOfCheckpoint } from '../train/checkpoint.js';
import { version } from '../version.js';
import { CifarResNet } from '../models/cifar_resnet.js';
import { ResNet } from '../models/resnet.js';
import { guessArch } from '../cli/arch_guess.js';
import { buildFromConfig, describeModel } from './describe_model.js';
import { decodeMetadata, encodeMetadata, type ModelMetadata, type Preprocessing } from './metadata.js';
import { architectures } from '../cli/models.js';

/** What `saveModel` records beyond what the module itself says. */
export interface ModelInfo extends Partial<Preprocessing> {
  /** Class names by index (default: ImageNet's for 1000 classes, the dataset's for 10, else `class i`). */
  classNames?: readonly string[];
}

const metadataOfModels = new WeakMap<Module, ModelMetadata>();

/** The metadata of a model that `loadModel` built (or `saveModel` wrote), or undefined. */
export function modelMetadata(model: Module): ModelMetadata | undefined {
  return metadataOfModels.get(model);
}

/** The full metadata of `model` with `info`; what it does not give is defaulted. */
export function metadataFor(model: Module, info: ModelInfo = {}): ModelMetadata {
  const shape = describeModel(model);
  const known = metadataOfModels.get(model);
  const pre = defaultPreprocessing(shape.archConfig, shape.inChannels);
  const classNames =
    info.classNames ?? (known?.numClasses === shape.numClasses ? known.classNames : undefined);
  if (classNames !== undefined && classNames.length !== shape.numClasses)
    throw new ArgumentError(
      `Expected ${shape.numClasses} class names (the model's classifier has ${shape.numClasses} outputs) but received ${classNames.length}`,
    );
  const m: ModelMetadata = {
    ...shape,
    classNames: [...(classNames ?? defaultClassNames(shape.archConfig, shape.numClasses, shape.inChannels))],
    resizeSize: info.resizeSize ?? known?.resizeSize ?? pre.resizeSize,
    cropSize: info.cropSize ?? known?.cropSize ?? pre.cropSize,
    mean: [...(info.mean ?? known?.mean ?? pre.mean)],
    std: [...(info.std ?? known?.std ?? pre.std)],
    libraryVersion: version.resnetNative,
  };
  for (const key of ['mean', 'std'] as const)
    if (m[key].length !== m.inChannels)
      throw new ArgumentError(
        `Expected ${m.inChannels} values for ${key} (one per input channel) but received ${describe(m[key])}`,
      );
  if (m.resizeSize < m.cropSize)
    throw new ArgumentError(`Expected resizeSize >= cropSize ${m.cropSize} but received ${m.resizeSize}`);
  return m;
}

/** The `__metadata__` entries describing `model`, or none for a model that is not a ResNet (a user's own network: its checkpoints stay plain). */
export function metadataEntriesIfResNet(model: Module, info: ModelInfo = {}): Record<string, string> {
  if (!(model instanceof ResNet || model instanceof CifarResNet)) return {};
  return encodeMetadata(metadataFor(model, info));
}

/**
 * Writes `model`'s weights to a `.safetensors` file whose `__metadata__` describes it
 * (architecture, classes, input channels, preprocessing, library version); `loadModel` reads
 * it back with nothing else to say.
 */
export async function saveModel(model: Module, path: string, info: ModelInfo = {}): Promise<ModelMetadata> {
  const metadata = metadataFor(model, info);
  await save(model.stateDict(), path, { metadata: encodeMetadata(metadata) });
  metadataOfModels.set(model, metadata);
  return metadata;
}

/** The model metadata of a weights file (its header only is read), or undefined when it has none (a plain state dict, a `.pth`). */
export async function readModelMetadata(path: string): Promise<ModelMetadata | undefined> {
  const raw = await withFileSource(path, async (src) => {
    if (src.size < 9) return undefined;
    const first = await src.read(0, 9);
    if (first[8] !== 0x7b) return undefined; // not safetensors: a PyTorch checkpoint
    const n = headerLength(first.subarray(0, 8), src.size);
    return parseHeader(await src.read(8, n), src.size - 8 - n).metadata;
  });
  return raw === undefined ? undefined : decodeMetadata(raw, path);
}

/** A model file's state dict; a training checkpoint's model part when given one. */
async function readStateDict(path: string): Promise<StateDict> {
  const sd = await load(path);
  return modelOfCheckpoint(sd) ?? sd;
}

/**
 * The model a file without metadata holds, built by the factory of the architecture its keys
 * and shapes show, with the default class names and preprocessing.
 */
function inferModel(sd: StateDict, path: string): { model: Module; metadata: ModelMetadata } {
  const arch = guessArch(sd);
  const make = arch === undefined ? undefined : architectures[arch];
  const head = sd['fc.weight'] ?? sd['linear.weight'];
  const conv1 = sd['conv1.weight'];
  if (make === undefined || head === undefined || conv1 === undefined)
    throw new FormatError(
      `${path} has no model metadata and its keys are not those of a known ResNet (they look like ${arch ?? 'none'}); save it with saveModel, or build the model and loadStateDict`,
    );
  const [numClasses, inChannels] = [head.shape[0]!, conv1.shape[1]!];
  // A CIFAR net with projection shortcuts (option B) has their weights; option A has none.
  const shortcut = sd['layer2.0.shortcut.0.weight'] === undefined ? {} : { shortcut: 'B' as const };
  const model = (make as (o: object) => Module)({ numClasses, inChannels, ...shortcut });
  const shape = describeModel(model);
  const metadata: ModelMetadata = {
    ...shape,
    classNames: defaultClassNames(shape.archConfig, numClasses, inChannels),
    ...defaultPreprocessing(shape.archConfig, inChannels),
    libraryVersion: version.resnetNative,
  };
  return { model, metadata };
}

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** The class count the caller expects: a file with another is an error naming both (never a silently replaced classifier). */
  numClasses?: number;
}

/**
 * Builds the model a weights file describes and loads its weights, in eval mode. A file
 * written by `saveModel`, `train` or the Trainer says everything; for a plain state dict or a
 * torchvision `.pth`, the architecture is read from its keys and shapes and preprocessing and
 * class names are the defaults (ImageNet's for torchvision's family).
 */
export async function loadModel(
  path: string,
  options: LoadModelOptions = {},
): Promise<{ model: Module; metadata: ModelMetadata }> {
  if (typeof path !== 'string' || path.length === 0)
    throw new ArgumentError(`Expected a file path for path but received ${describe(path)}`);
  const recorded = await readModelMetadata(path);
  const sd = await readStateDict(path);
  try {
    const built = recorded === undefined ? inferModel(sd, path) : undefined;
    const metadata = built?.metadata ?? recorded!;
    if (options.numClasses !== undefined && options.numClasses !== metadata.numClasses)
      throw new ArgumentError(
        `${path} holds a model of ${metadata.numClasses} classes but ${options.numClasses} were asked for; a classifier is replaced only when fine-tuning (train --weights)`,
      );
    const model =
      built?.model ?? buildFromConfig(metadata.archConfig, metadata.numClasses, metadata.inChannels);
    try {
      model.loadStateDict(sd);
    } catch (err) {
      if (err instanceof StateDictError)
        throw new StateDictError(
          `${path} does not fit the ${metadata.arch} it describes: ${err.message}`,
          err.problems,
        );
      throw err;
    }
    model.eval();
    metadataOfModels.set(model, metadata);
    return { model, metadata };
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}
