/** `resnet-native train`: the training job (and, with no flags, the README's main job). */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DataLoader } from '../data/dataloader.js';
import { makeFolder } from '../io/folder.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import type { Module } from '../nn/module.js';
import * as S from '../optim/schedulers.js';
import { SGD } from '../optim/sgd.js';
import { AdamW } from '../optim/adamw.js';
import type { Optimizer } from '../optim/optimizer.js';
import { manualSeed, setNumThreads, getNumThreads } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { Trainer } from '../train/trainer.js';
import { loadData, type DatasetName } from './datasets.js';
import { buildModel } from './models.js';
import { Progress } from './progress.js';

export interface TrainFlags {
  arch: string;
  dataset: DatasetName;
  dataPath?: string;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  normWeightDecay?: number;
  labelSmoothing: number;
  opt: 'sgd' | 'adamw';
  nesterov: boolean;
  lrScheduler: 'onecycle' | 'cosineannealinglr' | 'steplr' | 'multisteplr' | 'constant';
  lrStepSize: number;
  lrGamma: number;
  lrWarmupEpochs: number;
  augment: boolean;
  cropPadding?: number;
  randomErase: number;
  seed: number;
  threads?: number;
  workers: number;
  outputDir?: string;
  resume?: string;
  weights?: string;
  weightsKey?: string;
  numClasses?: number;
  freezeBackbone: boolean;
  checkpointEvery: number;
  limitTrain?: number;
  limitTest?: number;
  cropSize: number;
  resizeSize: number;
  channelsLast: boolean;
}

/** Parameter groups: weight decay everywhere, or `normWeightDecay` on BN weights and biases. */
function paramGroups(model: Module, trainable: Set<Tensor>, f: TrainFlags) {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!trainable.has(p)) continue;
    const isNormOrBias = p.shape.length === 1 || name.endsWith('.bias');
    (f.normWeightDecay !== undefined && isNormOrBias ? noDecay : decay).push(p);
  }
  const groups = [{ params: decay, weightDecay: f.weightDecay }];
  if (noDecay.length > 0) groups.push({ params: noDecay, weightDecay: f.normWeightDecay! });
  return groups;
}

function makeOptimizer(model: Module, trainable: Set<Tensor>, f: TrainFlags): Optimizer<{ lr: number }> {
  const groups = paramGroups(model, trainable, f);
  if (f.opt === 'adamw') return new AdamW(groups, { lr: f.lr, weightDecay: f.weightDecay });
  return new SGD(groups, {
    lr: f.lr,
    momentum: f.momentum,
    nesterov: f.nesterov,
    weightDecay: f.weightDecay,
  });
}

function makeScheduler(
  opt: Optimizer<{ lr: number }>,
  f: TrainFlags,
  stepsPerEpoch: number,
): [S.LRScheduler | undefined, 'batch' | 'epoch'] {
  if (f.lrScheduler === 'onecycle')
    return [new S.OneCycleLR(opt, { maxLr: f.lr, epochs: f.epochs, stepsPerEpoch }), 'batch'];
  const total = f.epochs - f.lrWarmupEpochs;
  let main: S.LRScheduler | undefined;
  if (f.lrScheduler === 'cosineannealinglr')
    main = new S.CosineAnnealingLR(opt, { tMax: Math.max(total, 1) });
  else if (f.lrScheduler === 'steplr') main = new S.StepLR(opt, { stepSize: f.lrStepSize, gamma: f.lrGamma });
  else if (f.lrScheduler === 'multisteplr')
    main = new S.MultiStepLR(opt, {
      milestones: [Math.floor(total / 2), Math.floor((3 * total) / 4)],
      gamma: f.lrGamma,
    });
  if (f.lrWarmupEpochs > 0) {
    const warm = new S.LinearLR(opt, { startFactor: 0.01, totalIters: f.lrWarmupEpochs });
    return [
      main ? new S.SequentialLR(opt, { schedulers: [warm, main], milestones: [f.lrWarmupEpochs] }) : warm,
      'epoch',
    ];
  }
  return [main, 'epoch'];
}

/** --output-dir; else a resumed run's own folder; else a new folder under runs/. */
export function runFolder(f: Pick<TrainFlags, 'outputDir' | 'resume' | 'arch' | 'dataset'>): string {
  if (f.outputDir !== undefined) return resolve(f.outputDir);
  if (f.resume !== undefined) return dirname(resolve(f.resume));
  return resolve('runs', `${f.arch}-${f.dataset}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}

export async function train(f: TrainFlags): Promise<number> {
  if (f.threads !== undefined) setNumThreads(f.threads);
  manualSeed(f.seed);
  const setup = await loadData(f);
  const numClasses = f.numClasses ?? setup.classes.length;
  const { model, head } = await buildModel(f.arch, {
    numClasses,
    inChannels: setup.inChannels,
    weights: f.weights,
    weightsKey: f.weightsKey,
    fineTune: true,
  });
  if (f.channelsLast) model.to('channels_last');
  const trainable = new Set(f.freezeBackbone ? head : model.parameters());
  for (const p of model.parameters()) if (!trainable.has(p)) p.requiresGrad = false;
  // A frozen backbone keeps its batch norm statistics too (the classifier has none).
  const evalModules = f.freezeBackbone ? model.modules().filter((m) => m instanceof BatchNorm2d) : [];
  const trainLoader = new DataLoader(setup.train, {
    batchSize: f.batchSize,
    shuffle: true,
    seed: f.seed,
    dropLast: true,
    transform: setup.trainTransform,
    prefetch: f.workers,
  });
  const testLoader = new DataLoader(setup.test, {
    batchSize: 256,
    transform: setup.testTransform,
    prefetch: f.workers,
  });
  if (trainLoader.length === 0)
    throw new Error(
      `The epoch has 0 batches: ${setup.train.length} training images make no full batch of ${f.batchSize} (--batch-size), and the last partial batch is dropped`,
    );
  const optimizer = makeOptimizer(model, trainable, f);
  const [scheduler, schedulerStep] = makeScheduler(optimizer, f, trainLoader.length);
  const outDir = runFolder(f);
  await makeFolder(outDir);
  await writeFile(
    join(outDir, 'config.json'),
    JSON.stringify(
      { ...f, threads: getNumThreads(), transform: setup.trainTransform.description, classes: setup.classes },
      null,
      2,
    ),
  );
  const progress = new Progress();
  const trainer = new Trainer({
    model, optimizer, trainLoader, evalLoader: testLoader, epochs: f.epochs, labelSmoothing: f.labelSmoothing,
    outDir, modelInfo: { classNames: setup.classes, ...setup.preprocessing }, checkpointEvery: f.checkpointEvery, schedulerStep, evalModules, memoryFormat: f.channelsLast ? 'channels_last' : 'contiguous',
    ...(scheduler ? { scheduler } : {}),
    onBatch: (e) => progress.batch(e),
    onEpoch: (r) => progress.epoch(r),
  }); // prettier-ignore
  if (f.resume !== undefined) {
    const state = await trainer.resume(f.resume);
    console.log(`resumed from ${f.resume}: epoch ${state.epoch + 1}, batch ${state.batch}`);
  }
  console.log(
    `training ${f.arch} on ${f.dataset}: ${setup.train.length} images, ${f.epochs} epochs, batch ${f.batchSize}, ${getNumThreads()} threads → ${outDir}`,
  );
  try {
    await trainer.fit();
  } finally {
    progress.stop();
  }
  const weights = join(outDir, 'model.safetensors');
  await trainer.saveModel(weights);
  const final = trainer.history.at(-1);
  console.log(`run folder:   ${outDir}`);
  console.log(`weights:      ${weights}`);
  console.log(`checkpoint:   ${join(outDir, 'checkpoint.safetensors')}`);
  console.log(`metrics:      ${join(outDir, 'metrics.jsonl')} (plot: ${join(outDir, 'metrics.svg')})`);
  console.log(`test accuracy: ${(final?.eval?.top1 ?? 0).toFixed(4)}`);
  return final?.eval?.top1 ?? 0;
}
