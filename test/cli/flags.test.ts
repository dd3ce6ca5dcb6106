/**
 * Flags that would be accepted and then ignored, impossible runs and unusable folders: each
 * fails at once with a message naming the flag (dist/cli.js, as a user runs it).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** stderr of a `resnet-native` run that must fail. */
async function failure(...args: string[]): Promise<string> {
  // A run that wrongly starts training is stopped, not left behind.
  const run = await exec('node', [cli, ...args], { timeout: 50_000 }).then(
    () => undefined,
    (e: { stderr: string; code: number }) => e,
  );
  expect(run, `resnet-native ${args.join(' ')} succeeded`).toBeDefined();
  expect(run!.code).toBe(1);
  return run!.stderr;
}

describe('resnet-native train and eval refuse', () => {
  it('flags that the other flags make do nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--lr-warmup-epochs', '2'], /--lr-warmup-epochs has no effect with --lr-scheduler onecycle/],
      [['--lr-scheduler', 'multisteplr', '--lr-step-size', '5'], /--lr-step-size is used only by --lr-scheduler steplr/],
      [['--lr-gamma', '0.5'], /--lr-gamma is used only by --lr-scheduler steplr, multisteplr and exponentiallr/],
      [['--dataset', 'imagefolder', '--data-path', '/x', '--crop-padding', '2'], /--crop-padding is not supported with --dataset imagefolder/],
      [['--no-augment', '--random-erase', '0.5'], /--random-erase is an augmentation: it has no effect with --no-augment/],
      [['--crop-size', '64'], /--crop-size is used only by --dataset imagefolder/],
      [['--opt', 'adamw', '--momentum', '0.8'], /--momentum is used only by --opt sgd/],
    ]; // prettier-ignore
    const stderrs = await Promise.all(cases.map(([args]) => failure('train', ...args)));
    stderrs.forEach((stderr, i) => expect(stderr).toMatch(cases[i]![1]));
  }, 120_000); // 7 processes loading libtorch on shared cores

  it('torchvision train.py flags that the other flags make do nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--lr-scheduler', 'steplr', '--lr-warmup-decay', '0.1'], /--lr-warmup-decay has an effect only with --lr-warmup-epochs > 0/],
      [['--lr-scheduler', 'steplr', '--lr-milestones', '3', '5'], /--lr-milestones is used only by --lr-scheduler multisteplr/],
      [['--model-ema-steps', '4'], /--model-ema-steps has an effect only with --model-ema/],
      [['--val-crop-size', '200'], /--val-crop-size is used only by --dataset imagefolder/],
      [['--model', 'resnet18', '--arch', 'resnet20'], /--model resnet18 and --arch resnet20 disagree/],
    ]; // prettier-ignore
    const stderrs = await Promise.all(cases.map(([args]) => failure('train', ...args)));
    stderrs.forEach((stderr, i) => expect(stderr).toMatch(cases[i]![1]));
  }, 60_000);

  it('eval flags that do nothing either', async () => {
    const crop = await failure('eval', '--weights', 'w.safetensors', '--crop-size', '64');
    expect(crop).toMatch(/--crop-size is used only by --dataset imagefolder/);
  });

  it('zero threads, epochs or batches, naming the flag', async () => {
    const [threads, epochs, batch] = await Promise.all([
      failure('train', '--threads', '0'),
      failure('train', '--epochs', '0'),
      failure('eval', '--weights', 'w.safetensors', '--batch-size', '0'),
    ]);
    expect(threads).toMatch(/'--threads <n>' argument '0' is invalid. Expected a positive integer/);
    expect(epochs).toMatch(/'--epochs <n>' argument '0' is invalid. Expected a positive integer/);
    expect(batch).toMatch(/'-b, --batch-size <n>' argument '0' is invalid. Expected a positive integer/);
  });

  it('a training set smaller than one batch, saying the epoch has 0 batches', async () => {
    const stderr = await failure('train', '--limit-train', '64', '--batch-size', '128');
    expect(stderr).toMatch(
      /The epoch has 0 batches: 64 training images make no full batch of 128 \(--batch-size\)/,
    );
    expect(stderr).not.toMatch(/OneCycleLR/);
  }, 60_000);

  it('an output folder that cannot be created, instead of spinning', async () => {
    const stderr = await failure(
      'train',
      '--limit-train',
      '64',
      '--batch-size',
      '32',
      '--output-dir',
      '/proc/rn-x/run',
    );
    expect(stderr).toMatch(
      /Cannot create the folder \/proc\/rn-x\/run: mkdir \/proc\/rn-x failed \(ENOENT\)/,
    );
  }, 60_000);
});
