/** `resnet-native eval`: loss and top-1/top-5 accuracy of a weights file on a test set. */
import { DataLoader } from '../data/dataloader.js';
import { resolveDevice } from '../device.js';
import { setNumThreads } from '../runtime.js';
import { MetricsMeter } from '../train/metrics.js';
import { crossEntropy } from '../nn/functional.js';
import { noGrad, tidy } from '../runtime.js';
import { loadTestData, type DataOptions } from './datasets.js';
import { buildModel } from './models.js';

export interface EvalFlags extends DataOptions {
  arch: string;
  weights: string;
  weightsKey?: string;
  batchSize: number;
  threads?: number;
  /** cpu (the default), cuda or cuda:N. */
  device?: string;
}

export async function evaluate(f: EvalFlags): Promise<void> {
  if (f.threads !== undefined) setNumThreads(f.threads);
  const device = resolveDevice('--device', f.device ?? 'cpu');
  const setup = await loadTestData({ ...f, augment: false });
  const { model } = await buildModel(f.arch, {
    numClasses: setup.classes.length,
    inChannels: setup.inChannels,
    weights: f.weights,
    weightsKey: f.weightsKey,
  });
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
