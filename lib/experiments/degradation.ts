/**
 * The degradation experiment of He et al. 2015, section 4.2 (Figure 6): plain networks and
 * ResNets of two depths trained the same way; the deeper plain net ends with the higher
 * training error, the deeper ResNet with the lower one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataLoader } from '../data/dataloader.js';
import { loadData, type DatasetName } from '../cli/datasets.js';
import { makeFolder } from '../io/folder.js';
import { save } from '../io/weights.js';
import {
  ConstantLR,
  LinearLR,
  CosineAnnealingLR,
  MultiStepLR,
  SequentialLR,
  type LRScheduler,
} from '../optim/lr_scheduler.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../runtime.js';
import { Trainer, type EpochRecord } from '../train/trainer.js';
import { buildNet, netGrid, netLabel, netName, type NetSpec } from './nets.js';
import { writeFigure6 } from './figure6.js';

/** How the networks are trained (the same for all of them). */
export interface DegradationOptions {
  dataset: Extract<DatasetName, 'fashion-mnist' | 'cifar10'>;
  dataPath?: string | undefined;
  /** Depths compared, each as a plain net and a ResNet (default 20 and 56). */
  depths: number[];
  /** Only these of the grid (names like 'resnet56'; default all): for running nets in separate processes. */
  only?: string[] | undefined;
  /** First n training images (undefined: all). */
  trainSize?: number | undefined;
  /** First n test images (undefined: all). */
  testSize?: number | undefined;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** 'cosine': annealed to 0 per batch over the run; 'paper': ÷10 at 50% and 75% of the iterations (32k and 48k of 64k). */
  schedule: 'cosine' | 'paper';
  /**
   * First iterations at lr/10 before the schedule starts (default 0): the paper's warm-up for
   * ResNet-110 (0.01 until the training error is below 80%, then 0.1).
   */
  warmupIterations?: number | undefined;
  /** 'constant' (default): the warm-up at lr/10 throughout, as the paper's; 'linear': from lr/10 up to lr (Goyal et al.'s gradual warm-up). */
  warmupMode?: 'constant' | 'linear' | undefined;
  /** The ResNets' blocks start as their shortcuts (each last batch norm at γ = 0; default false). */
  zeroInitResidual?: boolean | undefined;
  augment: boolean;
  seed: number;
  outDir: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One epoch of one network, errors as fractions. */
export interface ErrorPoint {
  epoch: number;
  iteration: number;
  trainError: number;
  testError: number;
  trainLoss: number;
  testLoss: number;
  seconds: number;
}

/** One trained network. */
export interface DegradationRun {
  name: string;
  label: string;
  kind: NetSpec['kind'];
  depth: number;
  parameters: number;
  /** The trained weights (safetensors), for `experiment responses` and `landscape`. */
  weights: string;
  history: ErrorPoint[];
  /**
   * After training: error and loss on the whole training subset with the network in eval mode
   * and no augmentation (the final weights, batch norm's running statistics). The per-epoch
   * `trainError` is the paper's Figure 6 curve: the running error of the training batches while
   * the weights change, in train mode.
   */
  final?: { trainError: number; trainLoss: number } | undefined;
}

/** degradation.json. */
export interface DegradationResult {
  experiment: 'degradation';
  options: Omit<DegradationOptions, 'log' | 'outDir'>;
  iterationsPerEpoch: number;
  runs: DegradationRun[];
  /** The paper's claims checked on the final training errors (`final`, else the last epoch's), undefined until both nets of a kind ran. */
  checks: { plainDeeperHasHigherTrainError?: boolean; resnetDeeperHasLowerOrEqualTrainError?: boolean };
}

const toPoint = (r: EpochRecord, perEpoch: number): ErrorPoint => ({
  epoch: r.epoch,
  iteration: r.epoch * perEpoch,
  trainError: 1 - r.train.top1,
  testError: 1 - (r.eval?.top1 ?? Number.NaN),
  trainLoss: r.train.loss,
  testLoss: r.eval?.loss ?? Number.NaN,
  seconds: r.train.seconds + (r.eval?.seconds ?? 0),
});

/** A run's final training error: on the training subset after training, else its last epoch's running error. */
const finalTrainError = (r: DegradationRun): number => r.final?.trainError ?? r.history.at(-1)!.trainError;

/** Final training errors of the shallowest and deepest net of `kind`, when both ran. */
function ends(runs: DegradationRun[], kind: NetSpec['kind']): [number, number] | undefined {
  const mine = runs.filter((r) => r.kind === kind && r.history.length > 0).sort((a, b) => a.depth - b.depth);
  if (mine.length < 2) return undefined;
  return [finalTrainError(mine[0]!), finalTrainError(mine.at(-1)!)];
}

/** The paper's two claims on the final training errors. */
export function degradationChecks(runs: DegradationRun[]): DegradationResult['checks'] {
  const plain = ends(runs, 'plain');
  const res = ends(runs, 'resnet');
  return {
    ...(plain ? { plainDeeperHasHigherTrainError: plain[1] > plain[0] } : {}),
    ...(res ? { resnetDeeperHasLowerOrEqualTrainError: res[1] <= res[0] } : {}),
  };
}

/**
 * A finished run in `dir` trained with the same options (its options.json), rebuilt from the
 * trainer's metrics.jsonl: a repeated command, or folders of separate processes copied
 * together, reuse it instead of training again.
 */
function finishedRun(
  dir: string,
  options: string,
  epochs: number,
  perEpoch: number,
): ErrorPoint[] | undefined {
  const [opts, metrics, weights] = ['options.json', 'metrics.jsonl', 'model.safetensors'].map((f) =>
    join(dir, f),
  );
  if (![opts, metrics, weights].every((f) => existsSync(f!)) || readFileSync(opts!, 'utf8') !== options)
    return undefined;
  const records = readFileSync(metrics!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EpochRecord);
  return records.length === epochs ? records.map((r) => toPoint(r, perEpoch)) : undefined;
}

/** The `final` measurement of a finished run (final.json), if it was taken. */
function finishedFinal(dir: string): DegradationRun['final'] {
  const file = join(dir, 'final.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DegradationRun['final']) : undefined;
}

/** The run's schedule over `iterations` batches, after `warmupIterations` of them at lr/10 (or rising from it). */
export function schedule(o: DegradationOptions, opt: SGD, iterations: number): LRScheduler {
  const warmup = Math.min(o.warmupIterations ?? 0, iterations - 1);
  const rest = iterations - Math.max(warmup, 0);
  const main =
    o.schedule === 'paper'
      ? // the milestones count from the first iteration (32k and 48k of 64k), warm-up included
        new MultiStepLR(opt, {
          milestones: [Math.round(iterations / 2) - warmup, Math.round((3 * iterations) / 4) - warmup],
        })
      : new CosineAnnealingLR(opt, { tMax: Math.max(rest, 1) });
  if (warmup <= 0) return main;
  const warm =
    o.warmupMode === 'linear'
      ? new LinearLR(opt, { startFactor: 0.1, endFactor: 1, totalIters: warmup })
      : new ConstantLR(opt, { factor: 0.1, totalIters: warmup });
  return new SequentialLR(opt, { schedulers: [warm, main], milestones: [warmup] });
}

/** The experiment's training and test images (CIFAR-10 at 32×32, Fashion-MNIST at its own 28×28). */
export const degradationData = (o: DegradationOptions) =>
  loadData({
    dataset: o.dataset, dataPath: o.dataPath, augment: o.augment, limitTrain: o.trainSize, limitTest: o.testSize,
    cropSize: 32, resizeSize: 32,
  }); // prettier-ignore

/** Trains every network of the grid in turn; degradation.json and degradation.svg are rewritten after each epoch. */
export async function runDegradation(o: DegradationOptions): Promise<DegradationResult> {
  const log = o.log ?? (() => {});
  await makeFolder(o.outDir);
  const data = await degradationData(o);
  const options: DegradationResult['options'] = { ...o };
  delete (options as Partial<DegradationOptions>).log;
  delete (options as Partial<DegradationOptions>).outDir;
  delete (options as Partial<DegradationOptions>).only; // which process trains a net does not change it
  const result: DegradationResult = {
    experiment: 'degradation',
    options,
    iterationsPerEpoch: 0,
    runs: [],
    checks: {},
  };
  const write = async () => {
    result.checks = degradationChecks(result.runs);
    await writeFile(join(o.outDir, 'degradation.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFigure6(join(o.outDir, 'degradation.svg'), result);
  };
  let writing = Promise.resolve();
  const optionsText = `${JSON.stringify(options, null, 2)}\n`;
  for (const spec of netGrid(o.depths).filter((n) => o.only === undefined || o.only.includes(netName(n)))) {
    manualSeed(o.seed);
    const model = buildNet(spec, {
      inChannels: data.inChannels,
      numClasses: data.classes.length,
      zeroInitResidual: o.zeroInitResidual,
    });
    const trainLoader = new DataLoader(data.train, {
      batchSize: o.batchSize, shuffle: true, seed: o.seed, dropLast: true, transform: data.trainTransform,
    }); // prettier-ignore
    const evalLoader = new DataLoader(data.test, { batchSize: 500, transform: data.testTransform });
    const trainEvalLoader = new DataLoader(data.train, { batchSize: 500, transform: data.testTransform });
    const perEpoch = trainLoader.length;
    result.iterationsPerEpoch = perEpoch;
    const optimizer = new SGD(model.parameters(), {
      lr: o.lr,
      momentum: o.momentum,
      weightDecay: o.weightDecay,
    });
    const dir = join(o.outDir, netName(spec));
    const run: DegradationRun = {
      name: netName(spec), label: netLabel(spec), kind: spec.kind, depth: spec.depth,
      parameters: model.numParameters(), weights: join(dir, 'model.safetensors'), history: [],
    }; // prettier-ignore
    result.runs.push(run);
    const done = finishedRun(dir, optionsText, o.epochs, perEpoch);
    const doneFinal = finishedFinal(dir);
    if (done !== undefined && doneFinal !== undefined) {
      run.history = done;
      run.final = doneFinal;
      log(`${run.label}: reusing the finished run in ${dir}`);
      model.dispose();
      continue;
    }
    await makeFolder(dir);
    await writeFile(join(dir, 'options.json'), optionsText);
    const trainer = new Trainer({
      model, optimizer, trainLoader, evalLoader, epochs: o.epochs, outDir: dir,
      scheduler: schedule(o, optimizer, o.epochs * perEpoch), schedulerStep: 'batch',
      onEpoch: (r) => {
        const p = toPoint(r, perEpoch);
        run.history.push(p);
        log(`${run.label} epoch ${p.epoch}/${o.epochs}: train error ${(100 * p.trainError).toFixed(2)}%, test error ${(100 * p.testError).toFixed(2)}% (${p.seconds.toFixed(0)} s)`);
        writing = writing.then(write); // partial results are on disk while the next epochs run
      },
    }); // prettier-ignore
    log(
      `${run.label}: ${run.parameters} parameters, ${data.train.length} training images, ${o.epochs} epochs of ${perEpoch} iterations`,
    );
    await trainer.fit();
    await writing;
    const fitted = await trainer.evaluate(trainEvalLoader);
    run.final = { trainError: 1 - fitted.top1, trainLoss: fitted.loss };
    log(
      `${run.label}: training-subset error after training ${(100 * run.final.trainError).toFixed(2)}% (eval mode)`,
    );
    await writeFile(join(dir, 'final.json'), `${JSON.stringify(run.final)}\n`);
    await save(model.stateDict(), run.weights);
    model.dispose();
  }
  await write();
  return result;
}
