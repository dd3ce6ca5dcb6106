/** `resnet-native eval`: loss and top-1/top-5 accuracy of a weights file on a test set. */
import { DataLoader } from '../data/dataloader.js';
import { resolveDevice } from '../device.js';
import { setNumThreads } from '../runtime.js';
import { MetricsMeter } from '../train/metrics.js';
import { crossEntropy } from '../nn/functional.js';
import { noGrad, tidy } from '../runtime.js';
import { loadTestData, type DataOptions } from './datasets.js';
import { buildModel } from './models.js';
import { loadModel, readModelMetadata } from '../model_file/load_model.js';
import type { Module } from '../nn/module.js';
import type { TestSetup } from './datasets.js';

export interface EvalFlags extends DataOptions {
  /** Default: the model file's own (its metadata), else resnet20. */
  arch?: string;
  weights: string;
  weightsKey?: string;
  batchSize: number;
  threads?: number;
  /** cpu (the default), cuda or cuda:N. */
  device?: string;
}

/**
 * Prints loss and accuracy of `f.weights` on the test set. A model file that describes itself
 * gives the architecture and, for an ImageFolder, the resize and crop sizes not `given`; its
 * class count must be the dataset's.
 */
export async function evaluate(
  f: EvalFlags,
  given: (flag: keyof EvalFlags) => boolean = () => true,
): Promise<void> {
  if (f.threads !== undefined) setNumThreads(f.threads);
  const device = resolveDevice('--device', f.device ?? 'cpu');
  const recorded =
    f.arch === undefined && f.weightsKey === undefined ? await readModelMetadata(f.weights) : undefined;
  const sizes =
    recorded === undefined
      ? {}
      : {
          ...(given('resizeSize') ? {} : { resizeSize: recorded.resizeSize }),
          ...(given('cropSize') ? {} : { cropSize: recorded.cropSize }),
        };
  const setup = await loadTestData({ ...f, ...sizes, augment: false });
  const model = recorded === undefined ? await buildFor(f, setup) : await loadFor(f.weights, setup);
  model.eval().to(device);
  const loader = new DataLoader(setup.test, {
    batchSize: f.batchSize,
    transform: setup.testTransform,
    pinMemory: device !== 'cpu',
  });
  const meter = new MetricsMeter();
  for await (const { input, target } of loader.epoch(0)) {
    noGrad(() =>
      tidy(() => {
        const x = input.to(device, { nonBlocking: true });
        const y = target.to(device, { nonBlocking: true });
        const logits = model.forward(x);
        meter.update(logits, y, crossEntropy(logits, y).item());
      }),
    );
    input.dispose();
    target.dispose();
  }
  const m = meter.result();
  console.log(`images:        ${m.images} (${m.imagesPerSec.toFixed(0)} img/s)`);
  console.log(`loss:          ${m.loss.toFixed(4)}`);
  console.log(`top-5 accuracy: ${m.top5.toFixed(4)}`);
  console.log(`test accuracy: ${m.top1.toFixed(4)}`);
}

async function buildFor(f: EvalFlags, setup: TestSetup): Promise<Module> {
  const { model } = await buildModel(f.arch ?? 'resnet20', {
    numClasses: setup.classes.length,
    inChannels: setup.inChannels,
    weights: f.weights,
    weightsKey: f.weightsKey,
  });
  return model;
}

/** The model a self-describing file holds, checked against the dataset. */
async function loadFor(weights: string, setup: TestSetup): Promise<Module> {
  const { model, metadata } = await loadModel(weights, { numClasses: setup.classes.length });
  if (metadata.inChannels !== setup.inChannels)
    throw new Error(
      `${weights} holds a model of ${metadata.inChannels} input channels but the dataset has ${setup.inChannels}`,
    );
  console.error(`eval: ${metadata.arch}, ${metadata.numClasses} classes, from the metadata of ${weights}`);
  return model;
}
