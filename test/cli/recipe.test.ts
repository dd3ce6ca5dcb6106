/**
 * A torchvision-style recipe through `resnet-native train` (dist/cli.js, as a user runs it):
 * warm-up then cosine, clipping, EMA, norm/bias weight decay; the run folder holds what the
 * flags promise (the epochs' rates as train.py's schedule gives them, the EMA's evaluation and
 * weights, TensorBoard events beside metrics.jsonl).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { load, optim, tensor } from '../../lib/index.js';
import { recipeSchedule } from '../../lib/cli/recipe.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-recipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resnet-native train with torchvision train.py flags', () => {
  it('--model, warm-up + cosine, --clip-grad-norm, --model-ema, --norm/--bias-weight-decay', async () => {
    const out = join(dir, 'run');
    const flags = {
      lr: 0.2,
      epochs: 3,
      lrScheduler: 'cosineannealinglr' as const,
      lrWarmupEpochs: 1,
      lrWarmupMethod: 'linear' as const,
      lrWarmupDecay: 0.1,
      lrMin: 0,
      lrStepSize: 30,
      lrGamma: 0.1,
    };
    await exec(
      'node',
      [cli, 'train', '--model', 'resnet20', '--epochs', '3', '--limit-train', '64', '--limit-test', '32',
        '-b', '32', '--lr', '0.2', '--lr-scheduler', 'cosineannealinglr', '--lr-warmup-epochs', '1',
        '--lr-warmup-method', 'linear', '--lr-warmup-decay', '0.1', '--clip-grad-norm', '1', '--model-ema',
        '--model-ema-steps', '1', '--norm-weight-decay', '0', '--bias-weight-decay', '0', '--threads', '1',
        '--output-dir', out], // prettier-ignore
      { timeout: 400_000 },
    );
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { lr: number; evalEma?: { top1: number } });
    // the rate after each epoch, as train.py's scheduler (stepped per epoch) sets it
    const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: flags.lr });
    const sched = recipeSchedule(opt, flags)!;
    const expected = records.map(() => (sched.step(), opt.paramGroups[0]!.options.lr));
    expect(records.map((r) => r.lr)).toEqual(expected);
    expect(records.every((r) => typeof r.evalEma?.top1 === 'number')).toBe(true);
    const ema = await load(join(out, 'model_ema.safetensors'));
    const weights = await load(join(out, 'model.safetensors'));
    expect(Object.keys(ema)).toEqual(Object.keys(weights));
    expect(readdirSync(out).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['arch']).toBe('resnet20');
    expect(config['modelEma']).toBe(true);
  }, 420_000);
});

describe("the README's ResNet-50 V2 recipe", () => {
  it('is accepted flag for flag: it fails only for want of the ImageNet folder', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const block = /## torchvision's recipes[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const args = block!
      .replace(/\\\n/g, ' ')
      .trim()
      .split(/\s+/)
      .slice(2) // npx resnet-native
      .map((a) => (a === './imagenet' ? join(dir, 'no-imagenet') : a));
    expect(args[0]).toBe('train');
    const run = await exec('node', [cli, ...args], { timeout: 60_000 }).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    expect(run).toBeDefined();
    expect(run!.stderr).toContain('no-imagenet');
    expect(run!.stderr).not.toMatch(/unknown option|is used only|has an effect only|invalid/);
  }, 90_000);
});
