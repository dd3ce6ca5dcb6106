/**
 * `resnet50({ weights: 'IMAGENET1K_V2' })`: a factory given a weights name returns a Promise of
 * the model with torchvision's weights loaded (downloaded into the cache the first time, see
 * lib/download/weights.ts); without `weights` it returns the model at once, randomly
 * initialized, as before. The model is built with the weights' class count, as torchvision's
 * `_ovewrite_named_param` does: another `numClasses` is an error (replace `fc` to fine-tune).
 */
import { ArgumentError } from '../errors.js';
import { fetchWeights, resolveWeights } from '../download/weights.js';
import { load } from '../io/weights.js';
import type { ResNet, ResNetOptions } from './resnet.js';

/** Options of a factory that loads torchvision's weights. */
export interface PretrainedOptions extends Omit<ResNetOptions, 'inChannels'> {
  /** torchvision's weights name for the architecture: 'IMAGENET1K_V1', 'IMAGENET1K_V2' or 'DEFAULT'. */
  weights: string;
  /** A base URL serving the same file names (default: `RESNET_NATIVE_MIRROR`, else download.pytorch.org). */
  mirror?: string;
  /** 3, the weights' (present for symmetry with ResNetOptions; another value is an error). */
  inChannels?: 3;
}

/** A torchvision factory: synchronous without weights, a Promise of the loaded model with them. */
export interface ResNetFactory {
  /** Builds the model and loads torchvision's weights `options.weights` (downloading them once). */
  (options: PretrainedOptions): Promise<ResNet>;
  /** Builds the model, randomly initialized. */
  (options?: ResNetOptions & { weights?: undefined }): ResNet;
}

async function pretrained(
  arch: string,
  make: (o: ResNetOptions) => ResNet,
  options: PretrainedOptions,
): Promise<ResNet> {
  const { weights, mirror, ...rest } = options;
  const { qualifiedName, entry } = resolveWeights(arch, weights);
  for (const [key, value] of [
    ['numClasses', entry.numClasses],
    ['inChannels', 3],
  ] as const) {
    const given = (rest as Record<string, unknown>)[key];
    if (given !== undefined && given !== value)
      throw new ArgumentError(
        `The parameter '${key}' expected value ${value} but got ${String(given)} instead (${qualifiedName} fixes it; to fine-tune, replace model.fc after loading).`,
      );
  }
  const path = await fetchWeights(
    entry,
    `the weights ${qualifiedName}`,
    mirror === undefined ? {} : { mirror },
  );
  const model = make({ ...rest, numClasses: entry.numClasses });
  const sd = await load(path);
  try {
    model.loadStateDict(sd);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
  return model;
}

/** Wraps a factory so that `{ weights }` loads torchvision's weights for `arch`. */
export function pretrainable(arch: string, make: (o: ResNetOptions) => ResNet): ResNetFactory {
  return ((options?: ResNetOptions | PretrainedOptions) => {
    if (options !== undefined && options !== null && 'weights' in options && options.weights !== undefined)
      return pretrained(arch, make, options);
    return make(options ?? {});
  }) as ResNetFactory;
}
