/**
 * Weights by name: `resnet18({ weights: 'IMAGENET1K_V1' })` and friends, against a server on
 * loopback. The published files cannot be downloaded here, so PyTorch writes real .pth files
 * (scripts/gen_pretrained_fixtures.py): a small one named with its real sha256 prefix for the
 * download path, and a resnet18 under the published file's name in torch.hub's cache.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWeights, resolveWeights, weightsCachePath } from '../../lib/download/weights.js';
import { weightsTable, type WeightsEntry } from '../../lib/download/table.js';
import { ArgumentError, ChecksumError, DownloadError } from '../../lib/errors.js';
import { load, resnet18, resnet50, ResNet, wide_resnet101_2 } from '../../lib/index.js';
import { closedPortUrl, startLoopbackServer, type LoopbackServer } from '../helpers/loopback_server.js';

const PYTHON = '/usr/bin/python3';
const script = (name: string) => fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rn-pretrained-'));
const fixtures = join(dir, 'fixtures');
const saved = { home: process.env['RESNET_NATIVE_HOME'], torch: process.env['TORCH_HOME'] };

let server: LoopbackServer;
let offline: string;
let tiny: { tiny: string; values: Record<string, number[]> };
beforeAll(async () => {
  const { stdout } = await run(PYTHON, [script('gen_pretrained_fixtures.py'), fixtures], {
    timeout: 120_000,
  });
  tiny = JSON.parse(stdout) as typeof tiny;
  process.env['RESNET_NATIVE_HOME'] = join(dir, 'cache');
  process.env['TORCH_HOME'] = join(dir, 'torch');
  server = await startLoopbackServer();
  server.routes.set(tiny.tiny, { body: readFileSync(join(fixtures, tiny.tiny)) });
  offline = await closedPortUrl();
}, 150_000);
afterAll(async () => {
  await server.close();
  for (const [k, v] of [
    ['RESNET_NATIVE_HOME', saved.home],
    ['TORCH_HOME', saved.torch],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

const weightsFolder = () => join(dir, 'cache', 'weights');
const inFolder = (folder: string) => (existsSync(folder) ? readdirSync(folder) : []);
const bytesOf = (sd: Record<string, { dataSync(): ArrayBufferView }>) =>
  Object.fromEntries(
    Object.entries(sd).map(([k, t]) => [k, Buffer.from(t.dataSync().buffer).toString('base64')]),
  );

describe('weights by name', () => {
  it('downloads a real .pth named by its sha256 prefix into the cache, once', async () => {
    const prefix = /-([a-f0-9]*)\./.exec(tiny.tiny)![1]!;
    const entry = {
      ...weightsTable['resnet18']!.members['IMAGENET1K_V1']!,
      file: tiny.tiny,
      sha256Prefix: prefix,
    };
    const url = `${server.base}${tiny.tiny}`;
    const path = await fetchWeights({ ...entry, url } satisfies WeightsEntry, 'tiny weights');
    expect(path).toBe(join(weightsFolder(), tiny.tiny));
    const sd = await load(path);
    for (const [k, v] of Object.entries(tiny.values))
      expect(Array.from(sd[k]!.dataSync() as Float32Array)).toEqual(v.map(Math.fround));
    const before = server.requests.length;
    expect(await fetchWeights({ ...entry, url }, 'tiny weights')).toBe(path);
    expect(server.requests.length).toBe(before); // from the cache
  });

  it("loads torchvision's file from torch.hub's cache: resnet18({ weights }) without the network", async () => {
    const hub = join(dir, 'torch', 'hub', 'checkpoints');
    mkdirSync(hub, { recursive: true });
    copyFileSync(join(fixtures, 'resnet18-f37072fd.pth'), join(hub, 'resnet18-f37072fd.pth'));
    const expected = bytesOf(await load(join(hub, 'resnet18-f37072fd.pth')));
    for (const name of ['IMAGENET1K_V1', 'DEFAULT', 'ResNet18_Weights.IMAGENET1K_V1']) {
      const model = await resnet18({ weights: name, mirror: offline });
      expect(model).toBeInstanceOf(ResNet);
      expect(bytesOf(model.stateDict())).toEqual(expected);
      model.dispose();
    }
  }, 120_000);

  it('refuses a file whose sha256 does not start with the prefix in its name, keeping nothing', async () => {
    const entry = resolveWeights('resnet50', 'IMAGENET1K_V2').entry;
    server.routes.set(entry.file, { body: randomBytes(4096) });
    const err = await resnet50({ weights: 'IMAGENET1K_V2', mirror: server.base }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toMatch(/ResNet50_Weights\.IMAGENET1K_V2 .* expected 11ad3fa6…/);
    expect(inFolder(weightsFolder())).not.toContain(entry.file);
    expect(inFolder(weightsFolder()).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps nothing from a cut connection and explains an offline machine', async () => {
    const entry = resolveWeights('wide_resnet101_2', 'IMAGENET1K_V1').entry;
    server.routes.set(entry.file, { body: randomBytes(1 << 20), cutAfter: 1000 });
    const cut = await wide_resnet101_2({ weights: 'IMAGENET1K_V1', mirror: server.base }).catch(
      (e: unknown) => e,
    );
    expect(cut).toBeInstanceOf(DownloadError);
    expect((cut as Error).message).toMatch(/broke off/);
    const err = await resnet50({ weights: 'IMAGENET1K_V1', mirror: offline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    const cached = weightsCachePath(resolveWeights('resnet50', 'IMAGENET1K_V1').entry);
    expect((err as Error).message).toContain(
      `offline or cannot reach the server. Download the file elsewhere and put it at ${cached}`,
    );
    expect(inFolder(weightsFolder()).filter((n) => n.includes('wide_resnet') || n.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('says which names there are, and that the weights fix the class count', async () => {
    await expect(resnet50({ weights: 'IMAGENET1K_V3' })).rejects.toThrow(
      /Expected one of 'IMAGENET1K_V1', 'IMAGENET1K_V2', 'DEFAULT' for the weights of resnet50 \(ResNet50_Weights\) but received 'IMAGENET1K_V3'/,
    );
    const err = await resnet18({ weights: 'DEFAULT', numClasses: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(/'numClasses' expected value 1000 but got 10/);
    // without weights the factory stays synchronous
    const plain = resnet18({ numClasses: 10 });
    expect(plain).toBeInstanceOf(ResNet);
    plain.dispose();
  });

  it('the committed table is what the installed torchvision says (scripts/gen_download_table.py)', async () => {
    const out = join(dir, 'table.json');
    await run(PYTHON, [script('gen_download_table.py'), out], { timeout: 120_000 });
    const fresh = JSON.parse(readFileSync(out, 'utf8')) as { weights: unknown; datasets: unknown };
    const committed = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../lib/download/torchvision.json', import.meta.url)), 'utf8'),
    ) as typeof fresh;
    expect(committed).toEqual(fresh);
    // every factory of the family has its enum, each file named with its hash prefix
    expect(Object.keys(weightsTable).sort()).toEqual(
      ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d',
        'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2'].sort(), // prettier-ignore
    );
    for (const t of Object.values(weightsTable))
      for (const e of Object.values(t.members))
        expect(e.file).toBe(`${e.file.split('-')[0]}-${e.sha256Prefix}.pth`);
  }, 150_000);
});
