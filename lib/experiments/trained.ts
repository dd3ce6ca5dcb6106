/**
 * The trained networks that `experiment responses` and `experiment landscape` study: those of a
 * degradation run (its degradation.json names their weights) or weights given by name
 * ('plain56=path.safetensors'), and a fixed batch of test images to run them on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadTestData, type DatasetName } from '../cli/datasets.js';
import { DataLoader } from '../data/dataloader.js';
import { ArgumentError } from '../errors.js';
import { load } from '../io/weights.js';
import type { CifarResNet } from '../models/cifar_resnet.js';
import type { Tensor } from '../tensor.js';
import { modelOfCheckpoint } from '../train/checkpoint.js';
import type { DegradationResult } from './degradation.js';
import { buildNet, netLabel, netName, type NetSpec } from './nets.js';

/** A network to load: what it is and where its weights are. */
export interface TrainedSpec extends NetSpec {
  weights: string;
}

/** Parses 'plain56=runs/p56/model.safetensors' (the name says kind and depth). */
export function parseWeightsArg(arg: string): TrainedSpec {
  const m = /^(plain|resnet)(\d+)=(.+)$/.exec(arg);
  if (m === null)
    throw new ArgumentError(`Expected NAME=FILE with NAME like plain20 or resnet56 but received ${arg}`);
  return { kind: m[1] as NetSpec['kind'], depth: Number(m[2]), weights: resolve(m[3]!) };
}

/** The networks of a degradation run whose weights exist, and the run's dataset. */
export function fromDegradation(dir: string): {
  specs: TrainedSpec[];
  dataset: DatasetName;
  dataPath?: string;
} {
  const file = join(resolve(dir), 'degradation.json');
  if (!existsSync(file))
    throw new ArgumentError(
      `Expected a degradation run folder with degradation.json but found none in ${dir} (run \`resnet-native experiment degradation\` first, or pass --weights)`,
    );
  const result = JSON.parse(readFileSync(file, 'utf8')) as DegradationResult;
  const specs = result.runs
    .map((r) => ({ kind: r.kind, depth: r.depth, weights: existsSync(r.weights) ? r.weights : join(dirname(file), r.name, 'model.safetensors') }))
    .filter((s) => existsSync(s.weights)); // prettier-ignore
  return {
    specs,
    dataset: result.options.dataset,
    ...(result.options.dataPath ? { dataPath: result.options.dataPath } : {}),
  };
}

/** A loaded network in eval mode. */
export interface TrainedNet {
  spec: TrainedSpec;
  name: string;
  label: string;
  model: CifarResNet;
}

/** Builds each network and loads its weights (class count and channels from the file). */
export async function loadNets(specs: readonly TrainedSpec[]): Promise<TrainedNet[]> {
  const out: TrainedNet[] = [];
  for (const spec of specs) {
    const file = await load(spec.weights);
    const sd = modelOfCheckpoint(file) ?? file; // a trainer's checkpoint.safetensors works too
    const [numClasses = 10, features] = sd['linear.weight']?.shape ?? [];
    const inChannels = sd['conv1.weight']?.shape[1] ?? 3;
    if (features !== 64)
      throw new ArgumentError(
        `Expected CIFAR-ResNet weights (linear.weight of shape [classes, 64]) in ${spec.weights}`,
      );
    const model = buildNet(spec, { numClasses, inChannels });
    model.loadStateDict(sd);
    for (const t of Object.values(sd)) t.dispose();
    model.eval();
    out.push({ spec, name: netName(spec), label: netLabel(spec), model });
  }
  return out;
}

/** The first `n` test images (normalized) and their labels, as one batch. */
export async function testBatch(
  dataset: DatasetName,
  dataPath: string | undefined,
  n: number,
): Promise<{ input: Tensor; target: Tensor }> {
  const setup = await loadTestData({
    dataset,
    dataPath,
    augment: false,
    limitTest: n,
    cropSize: 32,
    resizeSize: 32,
  });
  const loader = new DataLoader(setup.test, { batchSize: n, transform: setup.testTransform });
  for await (const { input, target } of loader.epoch(0)) return { input, target };
  throw new ArgumentError(`Expected at least one test image but the ${dataset} test split is empty`);
}
