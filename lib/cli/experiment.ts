/** `resnet-native experiment <name>`: the paper's evidence (degradation, layer responses, loss landscapes), one command each. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { degradationData, runDegradation, type DegradationOptions } from '../experiments/degradation.js';
import { gridOrder, netGrid, netName } from '../experiments/nets.js';
import { runLandscape } from '../experiments/landscape.js';
import { runResponses } from '../experiments/responses.js';
import {
  fromDegradation,
  loadNets,
  parseWeightsArg,
  testBatch,
  type TrainedSpec,
} from '../experiments/trained.js';
import { ArgumentError } from '../errors.js';
import { setNumThreads } from '../runtime.js';
import { runChildren } from './children.js';

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
  only?: string[];
  trainSize?: number;
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum: number;
  weightDecay: number;
  augment?: boolean;
  warmup?: number;
  warmupMode?: 'constant' | 'linear';
  zeroInitResidual?: boolean;
  paper: boolean;
  seed: number;
  threads?: number;
  jobs?: number;
  outputDir: string;
}

const PAPER_LR = 0.1;
const PAPER_BATCH = 128;

/** Default budget (≤ 20 min on 2 cores) unless --paper; explicit flags win over both. */
export function degradationOptions(f: DegradationFlags, trainImages: number): DegradationOptions {
  const trainSize = f.paper ? f.trainSize : (f.trainSize ?? 2000);
  const n = Math.min(trainSize ?? trainImages, trainImages);
  const batchSize = f.batchSize ?? (f.paper ? 128 : 64);
  const perEpoch = Math.max(1, Math.floor(n / batchSize));
  return {
    dataset: f.dataset, dataPath: f.dataPath, depths: f.depths, only: f.only, trainSize,
    testSize: f.paper ? f.testSize : (f.testSize ?? 1000),
    epochs: f.epochs ?? (f.paper ? Math.ceil(PAPER_ITERATIONS / perEpoch) : 9),
    // The paper's 0.1 is for batches of 128; other batch sizes scale it linearly (Goyal et al.).
    batchSize, lr: f.lr ?? (PAPER_LR * batchSize) / PAPER_BATCH, momentum: f.momentum, weightDecay: f.weightDecay,
    schedule: f.paper ? 'paper' : 'cosine', augment: f.augment ?? f.paper, seed: f.seed,
    // The budget's ResNet-56 diverges in its first steps at the full rate (docs/experiments.md):
    // a warm-up from lr/10 over its first epoch, rising (a constant one ends in a second blow-up).
    warmupIterations: f.warmup ?? (f.paper ? 0 : perEpoch),
    warmupMode: f.warmupMode ?? (f.paper ? 'constant' : 'linear'),
    ...(f.zeroInitResidual === undefined ? {} : { zeroInitResidual: f.zeroInitResidual }),
    outDir: resolve(f.outputDir), log,
  }; // prettier-ignore
}

const TRAIN_IMAGES = { 'fashion-mnist': 60_000, cifar10: 50_000 } as const;

/**
 * With more than one job, trains each net of the grid in a child process of this command
 * (`--only <net> --jobs 1`), deepest first. The nets are small, so separate single-thread
 * processes use the cores better than threads inside one convolution. The caller then
 * reuses the finished folders and writes the merged JSON and plot. Resolves false when a
 * child failed (the exit code is set; the others were stopped).
 */
async function trainInChildren(f: DegradationFlags, o: DegradationOptions): Promise<boolean> {
  const nets = gridOrder(netGrid(f.depths), f.only);
  const cores = availableParallelism();
  const jobs = Math.min(f.jobs ?? cores, nets.length);
  if (jobs <= 1) return true;
  await degradationData(o); // a missing dataset fails here once, not in every child
  const each = Math.max(1, Math.floor((f.threads ?? cores) / jobs));
  log(`training ${nets.map(netName).join(', ')} in ${jobs} processes at a time, ${each} thread(s) each`);
  // Later flags win in commander, so the child's --only, --jobs and --threads override the user's.
  const args = (name: string) => [
    ...process.execArgv, process.argv[1]!, ...process.argv.slice(2),
    '--only', name, '--jobs', '1', '--threads', String(each),
  ]; // prettier-ignore
  const children = nets.map((n) => ({
    label: netName(n),
    args: args(netName(n)),
    env: { OMP_NUM_THREADS: String(each) },
  }));
  const failure = await runChildren(children, jobs, 'the other networks');
  if (failure !== undefined) process.exitCode = failure.code;
  return failure === undefined;
}

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
    .option(
      '--only <names>',
      'train only these of the grid, e.g. resnet56 (finished runs in --output-dir are reused)',
      (v) => v.split(','),
    )
    .option('--train-size <n>', 'first n training images (default 2000; --paper: all)', positive)
    .option('--test-size <n>', 'first n test images (default 1000; --paper: all)', positive)
    .option('--epochs <n>', 'epochs (default 9; --paper: 64k iterations)', positive)
    .option('-b, --batch-size <n>', 'batch size (default 64; --paper: 128)', positive)
    .option('--lr <x>', 'initial learning rate (default 0.1 × batch size / 128: 0.05; --paper: 0.1)', num)
    .option('--momentum <x>', 'SGD momentum', num, 0.9)
    .option('--wd, --weight-decay <x>', 'weight decay', num, 1e-4)
    .option('--augment', 'random flips (and 4-pixel crops on CIFAR-10); default only with --paper')
    .option('--no-augment', 'no augmentation')
    .option(
      '--warmup <iterations>',
      'first iterations warming up from lr/10 (default: one epoch; --paper: 0)',
      nonNegative,
    )
    .addOption(
      new Option(
        '--warmup-mode <mode>',
        'warm-up at lr/10 throughout (as the paper’s ResNet-110; --paper’s default), or rising linearly to lr (default)',
      ).choices(['constant', 'linear']),
    )
    .option('--zero-init-residual', 'ResNets only: each block starts as its shortcut (last batch norm γ = 0)')
    .option(
      '--paper',
      "the paper's full schedule: all images, 64k iterations, lr ÷10 at 32k and 48k, augmentation",
      false,
    )
    .option('--seed <n>', 'seed of initialization and shuffling', nonNegative, 0)
    .addOption(threads())
    .option(
      '--jobs <n>',
      'networks trained at once, each in its own process with --threads ÷ n threads (default: one per core, up to the grid)',
      positive,
    )
    .option(
      '--output-dir <dir>',
      'where degradation.json, degradation.svg and the weights go',
      'experiments/degradation',
    )
    .action(async (f: DegradationFlags) => {
      const o = degradationOptions(f, TRAIN_IMAGES[f.dataset]);
      if (!(await trainInChildren(f, o))) return;
      if (f.threads !== undefined) setNumThreads(f.threads);
      const result = await runDegradation(o);
      log(`results: ${o.outDir}/degradation.json, plot: ${o.outDir}/degradation.svg`);
      for (const r of result.runs) {
        const last = r.history.at(-1);
        const subset =
          r.final === undefined
            ? ''
            : `, on the training subset after training ${(100 * r.final.trainError).toFixed(2)}%`;
        if (last)
          log(
            `${r.label}: last epoch's train error ${(100 * last.trainError).toFixed(2)}%${subset}, test error ${(100 * last.testError).toFixed(2)}%`,
          );
      }
      log(`checks: ${JSON.stringify(result.checks)}`);
    });
}

interface StudyFlags {
  from: string;
  weights?: string[];
  dataset?: 'fashion-mnist' | 'cifar10';
  dataPath?: string;
  images: number;
  threads?: number;
  outputDir: string;
}

/** The networks and test batch a study runs on: --weights if given, else the degradation run's. */
async function studySetup(f: StudyFlags) {
  if (f.threads !== undefined) setNumThreads(f.threads);
  let specs: TrainedSpec[];
  let dataset = f.dataset ?? 'fashion-mnist';
  let dataPath = f.dataPath;
  if (f.weights !== undefined) specs = f.weights.map(parseWeightsArg);
  else {
    const run = fromDegradation(f.from);
    specs = run.specs;
    dataset = f.dataset ?? (run.dataset as typeof dataset);
    dataPath = f.dataPath ?? run.dataPath;
  }
  if (specs.length === 0)
    throw new ArgumentError(`Expected trained networks in ${f.from} but none has its weights yet`);
  const nets = await loadNets(specs);
  const batch = await testBatch(dataset, dataPath, f.images);
  log(`${nets.map((n) => n.label).join(', ')} on ${batch.input.shape[0]} ${dataset} test images`);
  return { nets, ...batch };
}

/** Flags shared by the studies of trained networks. */
function studyCommand(name: string, description: string, images: number, output: string): Command {
  return new Command(name)
    .description(description)
    .option(
      '--from <dir>',
      'a degradation run folder (its trained nets and dataset)',
      'experiments/degradation',
    )
    .option(
      '--weights <name=file...>',
      'networks to study instead, e.g. plain56=a.safetensors resnet56=b.safetensors',
    )
    .addOption(
      new Option('--dataset <name>', 'test images from (default: the run’s, or fashion-mnist)').choices([
        'fashion-mnist',
        'cifar10',
      ]),
    )
    .option('--data-path <dir>', 'dataset folder')
    .option('--images <n>', 'test images in the batch', positive, images)
    .addOption(threads())
    .option('--output-dir <dir>', 'where the JSON and plots go', output);
}

function responsesCommand(): Command {
  return studyCommand('responses', 'std of each 3×3 layer’s response after BN, before addition/ReLU (Figure 7), as SVG and JSON', 500, 'experiments/responses')
    .action(async (f: StudyFlags) => {
      const { nets, input } = await studySetup(f);
      const result = await runResponses(nets, input, resolve(f.outputDir));
      for (const r of result.runs) log(`${r.label}: mean std ${r.meanStd.toFixed(3)} over ${r.layers.length} layers`);
      log(`results: ${resolve(f.outputDir)}/responses.json, plot: responses.svg; checks: ${JSON.stringify(result.checks)}`);
    }); // prettier-ignore
}

interface LandscapeFlags extends StudyFlags {
  range: number;
  points1d: number;
  points2d: number;
  seed: number;
}

function landscapeCommand(): Command {
  return studyCommand('landscape', 'loss along random filter-normalized directions (Li et al. 2018): 1-D and 2-D slices, contour SVG, heat-map PNG', 250, 'experiments/landscape')
    .option('--range <x>', 'slice over [-x, x]', num, 1)
    .option('--points-1d <n>', 'points of the 1-D slice', positive, 21)
    .option('--points-2d <n>', 'points per side of the 2-D grid', positive, 11)
    .option('--seed <n>', 'seed of the directions', nonNegative, 0)
    .action(async (f: LandscapeFlags) => {
      const { nets, input, target } = await studySetup(f);
      const o = { range: f.range, points1d: f.points1d, points2d: f.points2d, seed: f.seed };
      const result = await runLandscape(nets, input, target, o, resolve(f.outputDir), log);
      log(`results: ${resolve(f.outputDir)}/landscape.json, plots: landscape-1d.svg, landscape-2d.svg, landscape-2d.png; checks: ${JSON.stringify(result.checks)}`);
    }); // prettier-ignore
}

/** The `experiment` command and its subcommands. */
export function experimentCommand(): Command {
  return new Command('experiment')
    .description("reproduce the paper's evidence: degradation, layer responses, loss landscapes")
    .addCommand(degradationCommand())
    .addCommand(responsesCommand())
    .addCommand(landscapeCommand());
}
