/** `resnet-native train`: the training job (and, with no flags, the README's main job). */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DataLoader } from '../data/dataloader.js';
import { resolveDevice } from '../device.js';
import { makeFolder } from '../io/folder.js';
import { save } from '../io/weights.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import type { Module } from '../nn/module.js';
import * as S from '../optim/schedulers.js';
import { SGD } from '../optim/sgd.js';
import { AdamW } from '../optim/adamw.js';
import { Adam } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { LARS } from '../optim/lars.js';
import { ExponentialMovingAverage, emaDecayFor } from '../train/ema.js';
import { recipeSchedule, weightDecayGroups, type ScheduleFlags } from './recipe.js';
import type { Optimizer } from '../optim/optimizer.js';
import { manualSeed, setNumThreads, getNumThreads } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { Trainer } from '../train/trainer.js';
import { loadData, type AutoAugmentFlag, type DatasetName } from './datasets.js';
import { cutmix, mixup, randomChoiceMix, type BatchMix } from '../data/transforms/mix.js';
import { buildModel } from './models.js';
import { Progress } from './progress.js';
import * as dist from '../distributed/process_group.js';
import { DistributedSampler } from '../distributed/sampler.js';
import { isLaunchedRank } from './launch.js';

type DistBackend = dist.DistBackend;

/** In a launched rank, joins the job; the device (cuda:LOCAL_RANK with NCCL) it trains on. */
async function joinJob(f: TrainFlags): Promise<string | undefined> {
  if (!isLaunchedRank()) return f.device;
  if (f.distBackend === 'nccl' && (f.device ?? 'cpu') === 'cpu')
    throw new Error(
      '--dist-backend nccl all-reduces CUDA tensors: add --device cuda (each rank takes cuda:LOCAL_RANK)',
    );
  await dist.init({ backend: f.distBackend, timeoutMs: f.distTimeout * 1000 });
  return f.device === 'cuda' ? `cuda:${dist.getLocalRank()}` : f.device;
}

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
  biasWeightDecay?: number;
  labelSmoothing: number;
  opt: 'sgd' | 'adamw' | 'adam' | 'rmsprop' | 'lars';
  nesterov: boolean;
  lrScheduler: 'onecycle' | ScheduleFlags['lrScheduler'];
  lrStepSize: number;
  lrGamma: number;
  lrMin: number;
  lrMilestones?: number[];
  lrWarmupEpochs: number;
  lrWarmupMethod: 'linear' | 'constant';
  lrWarmupDecay: number;
  clipGradNorm?: number;
  modelEma: boolean;
  modelEmaSteps: number;
  modelEmaDecay: number;
  trainCropSize?: number;
  valCropSize?: number;
  valResizeSize?: number;
  augment: boolean;
  cropPadding?: number;
  randomErase: number;
  /** torchvision's --auto-augment: ta_wide, ra, or an AutoAugment policy. */
  autoAugment?: AutoAugmentFlag;
  /** RandAugment's magnitude bin (torchvision's --ra-magnitude, default 9). */
  raMagnitude: number;
  /** Mixup's Beta(α, α) α; no mixup when not given. */
  mixupAlpha?: number;
  /** CutMix's Beta(α, α) α; no CutMix when not given. */
  cutmixAlpha?: number;
  seed: number;
  threads?: number;
  /** cpu (the default), cuda or cuda:N. */
  device?: string;
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
  /** Mixed precision (Trainer's `amp`). */
  amp: boolean;
  /** Processes to start on this machine (lib/cli/launch.ts); the launcher's flag. */
  nprocPerNode?: number;
  nnodes: number;
  nodeRank: number;
  distBackend: DistBackend;
  /** Seconds (dist.init's timeout). */
  distTimeout: number;
}

function makeOptimizer(model: Module, trainable: Set<Tensor>, f: TrainFlags): Optimizer<{ lr: number }> {
  const groups = weightDecayGroups(model, trainable, f).map((g) => ({
    params: g.params,
    weightDecay: g.weightDecay,
  }));
  const wd = f.weightDecay;
  if (f.opt === 'adamw') return new AdamW(groups, { lr: f.lr, weightDecay: wd });
  if (f.opt === 'adam') return new Adam(groups, { lr: f.lr, weightDecay: wd });
  // torchvision's train.py: RMSprop with eps 0.0316 and alpha 0.9 (the EfficientNet/MobileNet recipes)
  if (f.opt === 'rmsprop')
    return new RMSprop(groups, { lr: f.lr, momentum: f.momentum, weightDecay: wd, eps: 0.0316, alpha: 0.9 });
  if (f.opt === 'lars') return new LARS(groups, { lr: f.lr, momentum: f.momentum, weightDecay: wd });
  return new SGD(groups, { lr: f.lr, momentum: f.momentum, nesterov: f.nesterov, weightDecay: wd });
}

function makeScheduler(
  opt: Optimizer<{ lr: number }>,
  f: TrainFlags,
  stepsPerEpoch: number,
): [S.LRScheduler | undefined, 'batch' | 'epoch'] {
  if (f.lrScheduler === 'onecycle')
    return [new S.OneCycleLR(opt, { maxLr: f.lr, epochs: f.epochs, stepsPerEpoch }), 'batch'];
  return [recipeSchedule(opt, { ...f, lrScheduler: f.lrScheduler }), 'epoch'];
}

/** train.py's mixup and cutmix (p = 1), one of them per batch when both are given; none without either alpha. */
function batchMixOf(f: TrainFlags, numClasses: number): BatchMix | undefined {
  const mixes: BatchMix[] = [];
  if (f.mixupAlpha !== undefined) mixes.push(mixup({ numClasses, p: 1, alpha: f.mixupAlpha }));
  if (f.cutmixAlpha !== undefined) mixes.push(cutmix({ numClasses, p: 1, alpha: f.cutmixAlpha }));
  return mixes.length === 0 ? undefined : randomChoiceMix(mixes);
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
  const deviceFlag = await joinJob(f);
  const device = resolveDevice('--device', deviceFlag ?? 'cpu');
  // Only rank 0 of a distributed job writes and reports.
  const lead = dist.getRank() === 0;
  const say = (line: string): void => {
    if (lead) console.log(line);
  };
  const onGpu = device !== 'cpu';
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
  // A distributed job shards each epoch as torch.utils.data.DistributedSampler does.
  const sampler =
    dist.getWorldSize() > 1 ? new DistributedSampler(setup.train.length, { seed: f.seed }) : undefined;
  const trainLoader = new DataLoader(setup.train, {
    batchSize: f.batchSize,
    ...(sampler ? { sampler } : { shuffle: true }),
    seed: f.seed,
    dropLast: true,
    transform: setup.trainTransform,
    prefetch: f.workers,
    pinMemory: onGpu,
  });
  const testLoader = new DataLoader(setup.test, {
    batchSize: 256,
    transform: setup.testTransform,
    prefetch: f.workers,
    pinMemory: onGpu,
  });
  if (trainLoader.length === 0)
    throw new Error(
      `The epoch has 0 batches: ${setup.train.length} training images make no full batch of ${f.batchSize} (--batch-size), and the last partial batch is dropped`,
    );
  const batchMix = batchMixOf(f, numClasses);
  const optimizer = makeOptimizer(model, trainable, f);
  const [scheduler, schedulerStep] = makeScheduler(optimizer, f, trainLoader.length);
  const outDir = runFolder(f);
  if (lead) await makeFolder(outDir);
  if (lead)
    await writeFile(
      join(outDir, 'config.json'),
      JSON.stringify(
        {
          ...f,
          threads: getNumThreads(),
          transform: setup.trainTransform.description,
          ...(batchMix ? { batchMix: batchMix.description } : {}),
          classes: setup.classes,
        },
        null,
        2,
      ),
    );
  // torchvision's --model-ema: a second instance holds the average (the first update copies)
  let ema: ExponentialMovingAverage | undefined;
  if (f.modelEma) {
    const copy = await buildModel(f.arch, { numClasses, inChannels: setup.inChannels });
    if (f.channelsLast) copy.model.to('channels_last');
    ema = new ExponentialMovingAverage(
      copy.model,
      emaDecayFor(f.modelEmaDecay, f.batchSize, f.modelEmaSteps, f.epochs),
    );
  }
  const progress = lead ? new Progress() : undefined;
  const trainer = new Trainer({
    model, optimizer, trainLoader, evalLoader: testLoader, epochs: f.epochs, labelSmoothing: f.labelSmoothing,
    outDir, modelInfo: { classNames: setup.classes, ...setup.preprocessing }, checkpointEvery: f.checkpointEvery, schedulerStep, evalModules, memoryFormat: f.channelsLast ? 'channels_last' : 'contiguous', device, amp: f.amp,
    ...(scheduler ? { scheduler } : {}),
    ...(batchMix ? { batchMix } : {}),
    ...(f.clipGradNorm === undefined ? {} : { clipGradNorm: f.clipGradNorm }),
    ...(ema ? { ema: { average: ema, steps: f.modelEmaSteps, warmupEpochs: f.lrWarmupEpochs } } : {}),
    onBatch: (e) => progress?.batch(e),
    onEpoch: (r) => progress?.epoch(r),
  }); // prettier-ignore
  if (f.resume !== undefined) {
    const state = await trainer.resume(f.resume);
    say(`resumed from ${f.resume}: epoch ${state.epoch + 1}, batch ${state.batch}`);
  }
  const ranks = dist.getWorldSize() > 1 ? ` x ${dist.getWorldSize()} processes` : '';
  say(
    `training ${f.arch} on ${f.dataset}: ${setup.train.length} images, ${f.epochs} epochs, batch ${f.batchSize}${ranks}, ${onGpu ? device : `${getNumThreads()} threads`} → ${outDir}`,
  );
  try {
    await trainer.fit();
  } finally {
    progress?.stop();
  }
  const final = trainer.history.at(-1);
  if (!lead) return final?.eval?.top1 ?? 0;
  const weights = join(outDir, 'model.safetensors');
  await trainer.saveModel(weights);
  if (ema) {
    const emaViews = ema.module.stateDict();
    try {
      await save(emaViews, join(outDir, 'model_ema.safetensors'));
    } finally {
      for (const t of Object.values(emaViews)) t.dispose();
    }
  }
  console.log(`run folder:   ${outDir}`);
  console.log(`weights:      ${weights}`);
  console.log(`checkpoint:   ${join(outDir, 'checkpoint.safetensors')}`);
  console.log(`metrics:      ${join(outDir, 'metrics.jsonl')} (plot: ${join(outDir, 'metrics.svg')})`);
  console.log(`test accuracy: ${(final?.eval?.top1 ?? 0).toFixed(4)}`);
  return final?.eval?.top1 ?? 0;
}
