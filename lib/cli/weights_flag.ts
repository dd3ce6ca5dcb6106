/**
 * `--weights IMAGENET1K_V2` (train, eval, predict): a torchvision weights name instead of a
 * file, for the `--arch` given. The name becomes the cached (or freshly downloaded) file's path,
 * and the recipe's evaluation sizes become the defaults of --resize-size and --crop-size.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { downloadWeights, pretrainedArchitectures, resolveWeights } from '../download/weights.js';

/** 'IMAGENET1K_V2', 'DEFAULT' or 'ResNet50_Weights.IMAGENET1K_V2', when no file has that name. */
export function isWeightsName(value: string): boolean {
  return /^([A-Za-z0-9]+_Weights\.)?[A-Z][A-Z0-9_]*$/.test(value) && !existsSync(value);
}

/** The flags this resolution reads and sets. */
export interface WeightsFlags {
  arch?: string | undefined;
  weights?: string | undefined;
  resizeSize?: number | undefined;
  cropSize?: number | undefined;
}

/** Replaces a weights name in `f.weights` by its file (downloading it once); nothing for a file. */
export async function resolveWeightsFlag(f: WeightsFlags, given: (flag: string) => boolean): Promise<void> {
  const name = f.weights;
  if (name === undefined || !isWeightsName(name)) return;
  if (f.arch === undefined || !pretrainedArchitectures.includes(f.arch))
    throw new InvalidArgumentError(
      `--weights ${name} names torchvision's weights: give --arch, one of ${pretrainedArchitectures.join(', ')}` +
        (f.arch === undefined ? '' : ` (not ${f.arch})`),
    );
  const { qualifiedName, entry } = resolveWeights(f.arch, name);
  const sizes: string[] = [];
  if (!given('resizeSize')) {
    f.resizeSize = entry.resizeSize;
    sizes.push(`--resize-size ${entry.resizeSize}`);
  }
  if (!given('cropSize')) {
    f.cropSize = entry.cropSize;
    sizes.push(`--crop-size ${entry.cropSize}`);
  }
  f.weights = await downloadWeights(f.arch, name);
  const recipe = sizes.length > 0 ? `; ${sizes.join(' ')} from its recipe` : '';
  console.error(`weights: ${qualifiedName} (${f.weights})${recipe}`);
}
