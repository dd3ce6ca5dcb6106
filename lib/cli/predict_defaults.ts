/**
 * predict's settings for the flags not given: those of the training run when the weights lie
 * in a run folder (its config.json, written by `train`), else the ImageNet defaults, said so.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PredictFlags } from './predict.js';

/** What `train` records in config.json that predict can use. */
interface RunConfig {
  arch?: string;
  dataset?: string;
  cropSize?: number;
  resizeSize?: number;
  classes?: string[];
}

/** The run's config.json beside `weights`, or undefined when there is none. */
async function readRunConfig(weights: string): Promise<RunConfig | undefined> {
  const path = join(dirname(weights), 'config.json');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunConfig;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/**
 * `f` with the flags the user did not give (`given(flag)` false) taken from the run's
 * config.json; `note` is told where the settings came from when any was not given.
 */
export async function withRunDefaults(
  f: PredictFlags,
  given: (flag: keyof PredictFlags) => boolean,
  note: (line: string) => void,
): Promise<PredictFlags & { runClasses?: readonly string[] }> {
  const open = (['arch', 'dataset', 'cropSize', 'resizeSize'] as const).filter((k) => !given(k));
  if (open.length === 0) return f;
  const config = await readRunConfig(f.weights);
  if (config === undefined) {
    note(
      `no config.json beside ${f.weights}: using --arch ${f.arch} --dataset ${f.dataset} (give --arch and --dataset for other weights)`,
    );
    return f;
  }
  const out: PredictFlags & { runClasses?: readonly string[] } = { ...f };
  const dataset = config.dataset === 'imagefolder' ? 'imagenet' : config.dataset;
  if (!given('arch') && config.arch !== undefined) out.arch = config.arch;
  if (!given('dataset') && (dataset === 'imagenet' || dataset === 'fashion-mnist' || dataset === 'cifar10'))
    out.dataset = dataset;
  if (!given('cropSize') && config.cropSize !== undefined) out.cropSize = config.cropSize;
  if (!given('resizeSize') && config.resizeSize !== undefined) out.resizeSize = config.resizeSize;
  // An ImageFolder run's class names are its folders', not ImageNet's.
  if (config.dataset === 'imagefolder' && config.classes !== undefined) out.runClasses = config.classes;
  note(`settings of the run in ${dirname(f.weights)}: --arch ${out.arch} --dataset ${out.dataset}`);
  return out;
}
