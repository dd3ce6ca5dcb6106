/**
 * The `resnet-native` command line: train, eval, predict, info (and doctor). Importing this loads
 * the addon; lib/cli/main.ts imports it only for commands that need it.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { architectures } from './models.js';
import { runFolder, train, type TrainFlags } from './train.js';
import { isLaunchedRank, launchTraining } from './launch.js';
import { checkIgnoredFlags } from './train_checks.js';
import { evaluate, type EvalFlags } from './evaluate.js';
import { predict, type PredictFlags } from './predict.js';
import { doctorCommand } from './doctor/command.js';
import { infoLines } from './info.js';
import { version } from '../index.js';
import { experimentCommand } from './experiment.js';
import { summaryCommand } from './summary.js';
import { serveCommand, type ServeFlags } from './serve.js';
import { resolveWeightsFlag } from './weights_flag.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`Expected a non-negative integer but received ${v}`);
  return n;
};
const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`Expected a positive integer but received ${v}`);
  return n;
};
const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`Expected a number but received ${v}`);
  return n;
};
const probability = (v: string): number => {
  const n = num(v);
  if (n < 0 || n > 1) throw new InvalidArgumentError(`Expected a probability in [0, 1] but received ${v}`);
  return n;
};
const positiveNum = (v: string): number => {
  const n = num(v);
  if (!(n > 0)) throw new InvalidArgumentError(`Expected a positive number but received ${v}`);
  return n;
};
/** A repeated or comma-separated list: `--lr-milestones 16 22` or `16,22`. */
const listOf =
  (item: (v: string) => number) =>
  (v: string, previous: number[] | undefined): number[] => [...(previous ?? []), ...v.split(',').map(item)];
const arch = () => new Option('--arch <name>', 'architecture').choices(Object.keys(architectures));
// Checked where it is used (resolveDevice), so that a missing GPU is explained with the libtorch loaded.
const device = () => new Option('--device <name>', 'where to run: cpu, cuda or cuda:N').default('cpu');
const dataset = () =>
  new Option('--dataset <name>', 'dataset')
    .choices(['fashion-mnist', 'cifar10', 'imagefolder'])
    .default('fashion-mnist');

const program = new Command()
  .name('resnet-native')
  .description('Train, evaluate and run ResNets on libtorch from Node.js')
  .version(version.resnetNative);

program
  .command('train', { isDefault: false })
  .description('train a ResNet (defaults: ResNet-20 on Fashion-MNIST, 3 epochs of one-cycle SGD)')
  .addOption(arch().default('resnet20'))
  .addOption(
    new Option('--model <name>', 'architecture (torchvision train.py’s name for --arch)')
      .choices(Object.keys(architectures))
      .hideHelp(),
  )
  .addOption(dataset())
  .option('--data-path <dir>', 'dataset folder (CIFAR-10 binary, or ImageFolder with train/ and val/)')
  .option('--epochs <n>', 'epochs', positive, 3)
  .option('-b, --batch-size <n>', 'batch size', positive, 128)
  .option('--lr <x>', 'learning rate (the peak rate for one-cycle)', num, 0.2)
  .option('--momentum <x>', 'SGD momentum', num, 0.9)
  .option('--wd, --weight-decay <x>', 'weight decay', num, 5e-4)
  .option('--norm-weight-decay <x>', 'weight decay for the parameters of normalization layers', num)
  .option('--bias-weight-decay <x>', 'weight decay for every bias (wins over --norm-weight-decay)', num)
  .option('--label-smoothing <x>', 'label smoothing', num, 0)
  .addOption(
    new Option('--opt <name>', 'optimizer')
      .choices(['sgd', 'adamw', 'adam', 'rmsprop', 'lars'])
      .default('sgd'),
  )
  .option('--no-nesterov', 'plain momentum instead of Nesterov')
  .addOption(
    new Option('--lr-scheduler <name>', 'schedule')
      .choices(['onecycle', 'cosineannealinglr', 'steplr', 'multisteplr', 'exponentiallr', 'constant'])
      .default('onecycle'),
  )
  .option('--lr-step-size <n>', 'StepLR period (epochs)', int, 30)
  .option('--lr-gamma <x>', 'StepLR/MultiStepLR/ExponentialLR decay', num, 0.1)
  .option('--lr-min <x>', 'CosineAnnealingLR minimum rate', num, 0)
  .option(
    '--lr-milestones <epochs...>',
    'MultiStepLR milestones (default: 1/2 and 3/4 of the epochs)',
    listOf(int),
  )
  .option('--lr-warmup-epochs <n>', 'warm-up epochs (not with onecycle)', int, 0)
  .addOption(
    new Option('--lr-warmup-method <name>', 'warm-up: linear ramp or constant factor')
      .choices(['linear', 'constant'])
      .default('constant'),
  )
  .option('--lr-warmup-decay <x>', 'warm-up start factor', num, 0.01)
  .option('--clip-grad-norm <x>', 'clip gradients to this total L2 norm', num)
  .option('--model-ema', 'keep an exponential moving average of the weights (evaluated as evalEma)', false)
  .option('--model-ema-steps <n>', 'batches between EMA updates', positive, 32)
  .option(
    '--model-ema-decay <x>',
    'EMA decay per image (adjusted for steps, batch size, epochs)',
    probability,
    0.99998,
  )
  .option('--no-augment', 'no random flips/crops')
  .option('--crop-padding <n>', 'random-crop padding (Fashion-MNIST: 0, CIFAR-10: 4)', int)
  .option('--random-erase <p>', 'random erasing probability (after normalization)', probability, 0)
  .addOption(
    new Option(
      '--auto-augment <policy>',
      'TrivialAugmentWide, RandAugment or AutoAugment (after crop and flip)',
    ).choices(['ta_wide', 'ra', 'imagenet', 'cifar10', 'svhn']),
  )
  .option('--ra-magnitude <n>', 'RandAugment magnitude bin (of 31)', int, 9)
  .option('--mixup-alpha <a>', 'mixup on every batch, λ ~ Beta(a, a)', positiveNum)
  .option(
    '--cutmix-alpha <a>',
    'CutMix on every batch, λ ~ Beta(a, a) (one of the two per batch with both)',
    positiveNum,
  )
  .option('--seed <n>', 'seed for initialization, shuffling and augmentation', int, 0)
  .option('--threads <n>', 'intra-op threads (default: all usable cores)', positive)
  .addOption(device())
  .option('-j, --workers <n>', 'batches prepared ahead of training', int, 2)
  .option('--output-dir <dir>', 'run folder (default: runs/<arch>-<dataset>-<time>)')
  .option(
    '--resume <checkpoint>',
    'continue from a checkpoint.safetensors (in its own run folder unless --output-dir)',
  )
  .option(
    '--weights <file|name>',
    'start from these weights (.pth or .safetensors, or a torchvision name such as IMAGENET1K_V2): fine-tuning',
  )
  .option('--weights-key <key>', "entry of a wrapping checkpoint, e.g. 'model'")
  .option('--num-classes <n>', 'classes (default: the dataset’s); replaces the classifier of --weights', int)
  .option('--freeze-backbone', 'train only the classifier', false)
  .option('--checkpoint-every <n>', 'also checkpoint every n batches', int, 0)
  .option('--no-channels-last', 'keep the NCHW layout (channels-last is faster on CPU)')
  .option('--amp', 'mixed precision: autocast (bfloat16 on CPU; float16 with a GradScaler on CUDA)', false)
  .option(
    '--limit-train <n>',
    'use only n training images (the first n; for imagefolder, n spread evenly over its classes)',
    int,
  )
  .option(
    '--limit-test <n>',
    'use only n test images (the first n; for imagefolder, n spread evenly over its classes)',
    int,
  )
  .option('--crop-size <n>', 'ImageFolder crop size', int, 224)
  .option('--resize-size <n>', 'ImageFolder resize size (232 for torchvision V2 weights)', int, 256)
  .option('--train-crop-size <n>', 'ImageFolder training crop (default: --crop-size)', positive)
  .option('--val-crop-size <n>', 'ImageFolder evaluation crop (default: --crop-size)', positive)
  .option('--val-resize-size <n>', 'ImageFolder evaluation resize (default: --resize-size)', positive)
  .option(
    '--nproc-per-node <n>',
    'start n processes of a distributed job here (as torchrun); -b is per process',
    positive,
  )
  .option('--nnodes <n>', 'machines in the job (with --nproc-per-node; MASTER_ADDR: node 0)', positive, 1)
  .option('--node-rank <n>', 'this machine’s index among --nnodes', int, 0)
  .addOption(
    new Option('--dist-backend <name>', 'collectives backend (nccl: CUDA builds)')
      .choices(['gloo', 'nccl'])
      .default('gloo'),
  )
  .option('--dist-timeout <s>', 'seconds a collective waits for a lost or hung rank', positive, 1800)
  .action(async (flags: TrainFlags & { model?: string }, cmd: Command) => {
    if (flags.model !== undefined) {
      if (cmd.getOptionValueSource('arch') === 'cli' && flags.arch !== flags.model)
        throw new InvalidArgumentError(`--model ${flags.model} and --arch ${flags.arch} disagree: give one`);
      flags.arch = flags.model;
    }
    delete flags.model;
    checkIgnoredFlags(flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
    if (flags.nprocPerNode !== undefined && !isLaunchedRank()) {
      process.exitCode = await launchTraining(flags, runFolder);
      return;
    }
    await resolveWeightsFlag(flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
    await train(flags);
  });

program
  .command('eval')
  .description('evaluate a weights file on a test set; prints "test accuracy: <fraction>"')
  .addOption(arch().default(undefined, "the file's own, else resnet20"))
  .addOption(dataset())
  .requiredOption(
    '--weights <file|name>',
    'weights (.pth or .safetensors, or a torchvision name such as IMAGENET1K_V2)',
  )
  .option('--weights-key <key>', "entry of a wrapping checkpoint, e.g. 'model'")
  .option('--data-path <dir>', 'dataset folder')
  .option('-b, --batch-size <n>', 'batch size', positive, 256)
  .option('--threads <n>', 'intra-op threads', positive)
  .addOption(device())
  .option(
    '--limit-test <n>',
    'use only n test images (the first n; for imagefolder, n spread evenly over its classes)',
    int,
  )
  .option('--crop-size <n>', 'ImageFolder crop size', int, 224)
  .option('--resize-size <n>', 'ImageFolder resize size', int, 256)
  .action(async (flags: EvalFlags, cmd: Command) => {
    checkIgnoredFlags(flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
    await resolveWeightsFlag(flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
    await evaluate({ ...flags, augment: false }, (flag) => cmd.getOptionValueSource(flag) === 'cli');
  });

program
  .command('predict')
  .description('top-5 classes of images (ImageNet names for 1000-class models)')
  .argument('<images...>', 'image files (JPEG, PNG, WebP, ...)')
  .addOption(arch().default('resnet50'))
  .requiredOption(
    '--weights <file|name>',
    'weights (.pth or .safetensors, or a torchvision name such as IMAGENET1K_V2); in a run folder, its config.json gives the defaults',
  )
  .option('--weights-key <key>', "entry of a wrapping checkpoint, e.g. 'model'")
  .addOption(
    new Option('--dataset <name>', 'preset: classes, size, normalization')
      .choices(['imagenet', 'fashion-mnist', 'cifar10'])
      .default('imagenet'),
  )
  .option('--classes <file>', 'class names, one per line (overrides the preset)')
  .option('--resize-size <n>', 'resize the shorter side to (232 for torchvision V2 weights)', int, 256)
  .option('--crop-size <n>', 'center crop', int, 224)
  .addOption(device())
  .action(async (images: string[], flags: PredictFlags, cmd: Command) => {
    await resolveWeightsFlag(flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
    await predict(images, flags, (flag) => cmd.getOptionValueSource(flag) === 'cli');
  });

program
  .command('serve')
  .description('HTTP inference server: POST /v1/classify, GET /healthz, GET /metrics (stops on SIGTERM)')
  .requiredOption(
    '--weights <file>',
    'weights written by train or saveModel (.safetensors that describes itself)',
  )
  .option('--port <n>', 'TCP port (0: any free one)', int, 8080)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--max-batch <n>', 'most images per batch', positive, 16)
  .option('--max-wait-ms <n>', 'longest an image waits to be batched', int, 5)
  .option('--max-queue <n>', 'most images waiting; more get 503', positive, 256)
  .option('--timeout-ms <n>', 'per-request timeout (504)', positive, 30_000)
  .option('--classes <file>', 'class names, one per line (as many as the model has)')
  .option('--threads <n>', 'intra-op threads', positive)
  .action(async (flags: ServeFlags) => {
    await serveCommand(flags);
  });

program
  .command('info')
  .description('versions, threads and devices')
  .action(() => {
    console.log(infoLines().join('\n'));
  });

program.addCommand(experimentCommand());
program.addCommand(summaryCommand());

// Listed here too, so that `resnet-native --help` shows it.
program.addCommand(doctorCommand());

export { program };
