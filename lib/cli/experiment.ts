/** `resnet-native experiment <name>`: the paper's evidence (degradation, layer responses, loss landscapes), one command each. */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runDegradation, type DegradationOptions } from '../experiments/degradation.js';
import { setNumThreads } from '../runtime.js';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`Expected a positive integer but received ${v}`);
  return n;
};
const nonNegative = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`Expected a non-negative integer but received ${v}`);
  return n;
};
const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`Expected a number but received ${v}`);
  return n;
};
const depths = (v: string): number[] => v.split(',').map((d) => positive(d.trim()));
const threads = () =>
  new Option('--threads <n>', 'intra-op threads (default: all usable cores)').argParser(positive);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** The paper's CIFAR-10 recipe: 64k iterations of batch 128, lr 0.1 ÷10 at 32k and 48k, augmentation, all images. */
export const PAPER_ITERATIONS = 64_000;

interface DegradationFlags {
  dataset: 'fashion-mnist' | 'cifar10';
  dataPath?: string;
  depths: number[];
  trainSize?: number;
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  augment?: boolean;
  paper: boolean;
  seed: number;
  threads?: number;
  outputDir: string;
}

/** Default budget (≤ 20 min on 2 cores) unless --paper; explicit flags win over both. */
export function degradationOptions(f: DegradationFlags, trainImages: number): DegradationOptions {
  const trainSize = f.paper ? f.trainSize : (f.trainSize ?? 2000);
  const n = Math.min(trainSize ?? trainImages, trainImages);
  const batchSize = f.batchSize ?? (f.paper ? 128 : 64);
  const perEpoch = Math.max(1, Math.floor(n / batchSize));
  return {
    dataset: f.dataset, dataPath: f.dataPath, depths: f.depths, trainSize,
    testSize: f.paper ? f.testSize : (f.testSize ?? 1000),
    epochs: f.epochs ?? (f.paper ? Math.ceil(PAPER_ITERATIONS / perEpoch) : 9),
    batchSize, lr: f.lr, momentum: f.momentum, weightDecay: f.weightDecay,
    schedule: f.paper ? 'paper' : 'cosine', augment: f.augment ?? f.paper, seed: f.seed,
    outDir: resolve(f.outputDir), log,
  }; // prettier-ignore
}

const TRAIN_IMAGES = { 'fashion-mnist': 60_000, cifar10: 50_000 } as const;

function degradationCommand(): Command {
  return new Command('degradation')
    .description('plain-20/56 vs ResNet-20/56 (paper §4.2, Figure 6): error per epoch as SVG and JSON')
    .addOption(
      new Option('--dataset <name>', 'dataset')
        .choices(['fashion-mnist', 'cifar10'])
        .default('fashion-mnist'),
    )
    .option(
      '--data-path <dir>',
      'dataset folder (CIFAR-10 binary version; Fashion-MNIST: Debian’s by default)',
    )
    .option('--depths <list>', 'depths 6n+2, each as a plain net and a ResNet', depths, [20, 56])
    .option('--train-size <n>', 'first n training images (default 2000; --paper: all)', positive)
    .option('--test-size <n>', 'first n test images (default 1000; --paper: all)', positive)
    .option('--epochs <n>', 'epochs (default 9; --paper: 64k iterations)', positive)
    .option('-b, --batch-size <n>', 'batch size (default 64; --paper: 128)', positive)
    .option('--lr <x>', 'initial learning rate', num, 0.1)
    .option('--momentum <x>', 'SGD momentum', num, 0.9)
    .option('--wd, --weight-decay <x>', 'weight decay', num, 1e-4)
    .option('--augment', 'random flips (and 4-pixel crops on CIFAR-10); default only with --paper')
    .option('--no-augment', 'no augmentation')
    .option(
      '--paper',
      "the paper's full schedule: all images, 64k iterations, lr ÷10 at 32k and 48k, augmentation",
      false,
    )
    .option('--seed <n>', 'seed of initialization and shuffling', nonNegative, 0)
    .addOption(threads())
    .option(
      '--output-dir <dir>',
      'where degradation.json, degradation.svg and the weights go',
      'experiments/degradation',
    )
    .action(async (f: DegradationFlags) => {
      if (f.threads !== undefined) setNumThreads(f.threads);
      const o = degradationOptions(f, TRAIN_IMAGES[f.dataset]);
      const result = await runDegradation(o);
      log(`results: ${o.outDir}/degradation.json, plot: ${o.outDir}/degradation.svg`);
      for (const r of result.runs) {
        const last = r.history.at(-1);
        if (last)
          log(
            `${r.label}: final train error ${(100 * last.trainError).toFixed(2)}%, test error ${(100 * last.testError).toFixed(2)}%`,
          );
      }
      log(`checks: ${JSON.stringify(result.checks)}`);
    });
}

/** The `experiment` command and its subcommands. */
export function experimentCommand(): Command {
  return new Command('experiment')
    .description("reproduce the paper's evidence: degradation, layer responses, loss landscapes")
    .addCommand(degradationCommand());
}
