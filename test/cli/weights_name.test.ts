/** `--weights IMAGENET1K_V1` on the command line: the name becomes torchvision's cached file. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { predict, type PredictFlags } from '../../lib/cli/predict.js';
import { isWeightsName, resolveWeightsFlag } from '../../lib/cli/weights_flag.js';
import { DownloadError } from '../../lib/errors.js';
import { closedPortUrl } from '../helpers/loopback_server.js';
import { writeTestImages, type TestImages } from './predictions.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-cli-weights-'));
const hub = join(dir, 'torch', 'hub', 'checkpoints');
const saved = { ...process.env };
let images: TestImages;
beforeAll(async () => {
  const script = fileURLToPath(new URL('../../scripts/gen_pretrained_fixtures.py', import.meta.url));
  await promisify(execFile)('/usr/bin/python3', [script, join(dir, 'fixtures')], { timeout: 120_000 });
  mkdirSync(hub, { recursive: true });
  renameSync(join(dir, 'fixtures', 'resnet18-f37072fd.pth'), join(hub, 'resnet18-f37072fd.pth'));
  process.env['TORCH_HOME'] = join(dir, 'torch');
  process.env['RESNET_NATIVE_HOME'] = join(dir, 'cache');
  process.env['RESNET_NATIVE_MIRROR'] = await closedPortUrl();
  images = await writeTestImages(dir, 2);
}, 150_000);
afterAll(() => {
  for (const k of ['TORCH_HOME', 'RESNET_NATIVE_HOME', 'RESNET_NATIVE_MIRROR']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` and returns what it printed: [stdout, stderr]. */
async function capture(fn: () => Promise<void>) {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const text = (s: typeof log) => s.mock.calls.map((c) => `${c.join(' ')}\n`).join('');
  try {
    await fn();
    return [text(log), text(err)] as const;
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('--weights <torchvision name>', () => {
  it('tells names from files', () => {
    expect(isWeightsName('IMAGENET1K_V2')).toBe(true);
    expect(isWeightsName('DEFAULT')).toBe(true);
    expect(isWeightsName('ResNet50_Weights.IMAGENET1K_V2')).toBe(true);
    expect(isWeightsName('runs/x/model.safetensors')).toBe(false);
    expect(isWeightsName('resnet50-11ad3fa6.pth')).toBe(false);
  });

  it('predict --arch resnet18 --weights IMAGENET1K_V1 prints what the file itself gives', async () => {
    const flags: PredictFlags = {
      arch: 'resnet18',
      dataset: 'imagenet',
      weights: 'IMAGENET1K_V1',
      resizeSize: 256,
      cropSize: 224,
    };
    const given = (f: string) => f === 'arch' || f === 'weights';
    const [byName, notes] = await capture(async () => {
      await resolveWeightsFlag(flags, given);
      await predict(images.paths, flags, given);
    });
    expect(notes).toContain(
      `weights: ResNet18_Weights.IMAGENET1K_V1 (${join(hub, 'resnet18-f37072fd.pth')}); --resize-size 256 --crop-size 224 from its recipe`,
    );
    const file = { ...flags, weights: join(hub, 'resnet18-f37072fd.pth') };
    const [byFile] = await capture(() => predict(images.paths, file, given));
    expect(byName).toBe(byFile);
    expect(byName).toMatch(/^\s+\d+\.\d\d%\s+\S/m);
  }, 120_000);

  it('takes the V2 recipe sizes unless given, and explains offline and a missing --arch', async () => {
    const f = { arch: 'resnet50', weights: 'IMAGENET1K_V2', resizeSize: 256, cropSize: 224 };
    const err = await capture(() => resolveWeightsFlag(f, () => false)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(
      /ResNet50_Weights\.IMAGENET1K_V2 .*offline.*resnet50-11ad3fa6\.pth/,
    );
    expect(f).toMatchObject({ resizeSize: 232, cropSize: 224 });
    await expect(resolveWeightsFlag({ weights: 'IMAGENET1K_V2' }, () => false)).rejects.toThrow(
      /--weights IMAGENET1K_V2 names torchvision's weights: give --arch/,
    );
    await expect(resolveWeightsFlag({ arch: 'resnet20', weights: 'DEFAULT' }, () => true)).rejects.toThrow(
      /give --arch, one of resnet18, .* \(not resnet20\)/,
    );
  });
});
