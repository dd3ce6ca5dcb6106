/**
 * `resnet-native train --auto-augment ... --mixup-alpha ... --cutmix-alpha ...` (dist/cli.js, as
 * a user runs it): the run records the augmentation it used, the training metrics stay
 * fractions, and flags that would do nothing are errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-augment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train with --auto-augment, --mixup-alpha and --cutmix-alpha', () => {
  it('trains Fashion-MNIST (1 channel, as torchvision allows) with TrivialAugmentWide and mixup/cutmix', async () => {
    const out = join(dir, 'run');
    await exec(
      'node',
      [cli, 'train', '--epochs', '1', '--limit-train', '64', '--limit-test', '32', '-b', '32', '--threads', '1',
        '--auto-augment', 'ta_wide', '--mixup-alpha', '0.2', '--cutmix-alpha', '1.0', '--output-dir', out], // prettier-ignore
      { timeout: 300_000 },
    );
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, string>;
    expect(config['transform']).toContain(
      'TrivialAugmentWide(num_magnitude_bins=31, interpolation=bilinear)',
    );
    expect(config['batchMix']).toBe(
      'RandomChoice(RandomMixup(num_classes=10, p=1, alpha=0.2), RandomCutmix(num_classes=10, p=1, alpha=1))',
    );
    const record = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim()) as {
      train: { top1: number; top5: number; loss: number; images: number };
    };
    expect(record.train.images).toBe(64);
    expect(Number.isFinite(record.train.loss)).toBe(true);
    for (const acc of [record.train.top1, record.train.top5]) expect(acc >= 0 && acc <= 1).toBe(true);
  }, 320_000);

  const fails = async (args: string[]): Promise<string> => {
    const run = await exec('node', [cli, 'train', '--limit-train', '32', ...args], { timeout: 60_000 }).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    expect(run, `train ${args.join(' ')} should fail`).toBeDefined();
    return run!.stderr;
  };
  it('refuses flags that would do nothing, and values that cannot apply', async () => {
    const [noAugment, raMagnitude, zeroAlpha, augmix] = await Promise.all([
      fails(['--no-augment', '--auto-augment', 'ta_wide']),
      fails(['--auto-augment', 'ta_wide', '--ra-magnitude', '5']),
      fails(['--mixup-alpha', '0']),
      fails(['--auto-augment', 'augmix']),
    ]);
    expect(noAugment).toMatch(/--auto-augment is an augmentation: it has no effect with --no-augment/);
    expect(raMagnitude).toMatch(/--ra-magnitude is used only by --auto-augment ra/);
    expect(zeroAlpha).toMatch(/--mixup-alpha <a>' argument '0' is invalid. Expected a positive number/);
    expect(augmix).toMatch(/--auto-augment <policy>' argument 'augmix' is invalid/);
  }, 120_000);
});
