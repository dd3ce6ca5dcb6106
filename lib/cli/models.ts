/** Architectures by name, and building a model from the CLI's options and weights. */
import { ArgumentError, StateDictError } from '../errors.js';
import { load, type StateDict } from '../io/weights.js';
import * as models from '../models/index.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { modelOfCheckpoint } from '../train/checkpoint.js';
import { guessArch } from './arch_guess.js';

type Factory = (options: { numClasses?: number; inChannels?: number }) => Module;

export const architectures: Record<string, Factory> = {
  resnet18: models.resnet18, resnet34: models.resnet34, resnet50: models.resnet50,
  resnet101: models.resnet101, resnet152: models.resnet152, resnext50_32x4d: models.resnext50_32x4d,
  resnext101_32x8d: models.resnext101_32x8d, resnext101_64x4d: models.resnext101_64x4d,
  wide_resnet50_2: models.wide_resnet50_2, wide_resnet101_2: models.wide_resnet101_2,
  resnet20: models.resnet20, resnet32: models.resnet32, resnet44: models.resnet44,
  resnet56: models.resnet56, resnet110: models.resnet110, resnet1202: models.resnet1202,
}; // prettier-ignore

export function factory(arch: string): Factory {
  const f = architectures[arch];
  if (f === undefined)
    throw new Error(`Unknown --arch ${arch}; choose one of ${Object.keys(architectures).join(', ')}`);
  return f;
}

/** The classifier layer of either family (torchvision's `fc`, the CIFAR nets' `linear`/`fc`). */
function classifierName(model: Module): string {
  const names = model.namedChildren().map(([n]) => n);
  const name = ['fc', 'linear'].find((n) => names.includes(n));
  if (name === undefined) throw new Error('This model has no fc layer to replace');
  return name;
}

export interface BuiltModel {
  model: Module;
  /** Parameters of the classifier (trained even when the backbone is frozen). */
  head: Tensor[];
}

/**
 * Builds `arch`; with `weights`, loads them (the classifier size comes from the file). When
 * `numClasses` differs from the file's, `fineTune` replaces the classifier; without it, that
 * is an error naming both sizes (a silently random classifier would give wrong answers).
 */
export async function buildModel(
  arch: string,
  options: {
    numClasses: number;
    inChannels: number;
    weights?: string | undefined;
    weightsKey?: string | undefined;
    /** Replace a classifier of another size (train --weights): fine-tuning. */
    fineTune?: boolean;
  },
): Promise<BuiltModel> {
  const make = factory(arch);
  if (options.weights === undefined) {
    const model = make({ numClasses: options.numClasses, inChannels: options.inChannels });
    return { model, head: headParams(model) };
  }
  const sd = await loadWeights(options.weights, options.weightsKey);
  // The classifier's name and size come from the file: no model is built to learn them.
  const head = ['fc', 'linear'].find((n) => sd[`${n}.weight`] !== undefined);
  const fcWeight = head === undefined ? undefined : sd[`${head}.weight`];
  const fileClasses = fcWeight?.shape[0] ?? options.numClasses;
  const model = make({ numClasses: fileClasses, inChannels: options.inChannels });
  try {
    model.loadStateDict(sd);
  } catch (err) {
    throw diagnose(err, arch, sd);
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
  // Checked once the weights fit: a file of another architecture is diagnosed as that first.
  if (fileClasses !== options.numClasses && options.fineTune !== true) {
    model.dispose();
    throw new ArgumentError(
      `The weights in ${options.weights} have a classifier of ${fileClasses} classes but ${options.numClasses} were asked for (by the class names or the dataset); only fine-tuning (train --weights) replaces a classifier`,
    );
  }
  if (fileClasses !== options.numClasses) {
    const inFeatures = fcWeight!.shape[1]!;
    model.registerModule(classifierName(model), new Linear(inFeatures, options.numClasses));
  }
  return { model, head: headParams(model) };
}

/** A weights file's state dict; a training checkpoint's model, when given one. */
async function loadWeights(path: string, key: string | undefined): Promise<StateDict> {
  const sd = await load(path, key === undefined ? {} : { key });
  return modelOfCheckpoint(sd) ?? sd;
}

/** A state-dict mismatch with a one-line diagnosis first when the file is another architecture. */
function diagnose(err: unknown, arch: string, sd: StateDict): unknown {
  if (!(err instanceof StateDictError)) return err;
  const guess = guessArch(sd);
  if (guess === undefined || guess === arch) return err;
  const hint = guess in architectures ? `: pass --arch ${guess}` : '';
  return new StateDictError(
    `These weights look like a ${guess}, not a ${arch}${hint}. In detail: ${err.message}`,
    err.problems,
  );
}

function headParams(model: Module): Tensor[] {
  const head = classifierName(model);
  return model
    .namedParameters()
    .filter(([n]) => n.startsWith(`${head}.`))
    .map(([, p]) => p);
}
