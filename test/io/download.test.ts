/** The downloader against a server on loopback: a good file, a wrong hash, a cut connection, offline. */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumError, DownloadError } from '../../lib/errors.js';
import { cacheDir, mirrorUrl, torchHubCheckpointsDir } from '../../lib/download/cache.js';
import { downloadFile } from '../../lib/download/fetch_file.js';
import { closedPortUrl, startLoopbackServer, type LoopbackServer } from '../helpers/loopback_server.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-download-'));
let server: LoopbackServer;
const body = randomBytes(3 << 20); // several reads and writes
const md5 = createHash('md5').update(body).digest('hex');
const sha256 = createHash('sha256').update(body).digest('hex');
beforeAll(async () => {
  server = await startLoopbackServer();
  server.routes.set('good.bin', { body });
  server.routes.set('cut.bin', { body, cutAfter: 1 << 20 });
  server.routes.set('missing.bin', { status: 404 });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Whatever the folder holds (temporary files included). */
const contents = (folder: string) => (existsSync(folder) ? readdirSync(folder) : []);

describe('downloadFile', () => {
  it('writes a good file, verified by md5 or by a sha256 prefix, creating the folder', async () => {
    const dest = join(dir, 'a', 'b', 'good.bin');
    await downloadFile({ url: `${server.base}good.bin`, dest, checksum: { md5 }, what: 'a test file' });
    expect(readFileSync(dest).equals(body)).toBe(true);
    const dest2 = join(dir, 'prefix', 'good.bin');
    const checksum = { sha256Prefix: sha256.slice(0, 8) };
    await downloadFile({ url: `${server.base}good.bin`, dest: dest2, checksum, what: 'a test file' });
    expect(readFileSync(dest2).equals(body)).toBe(true);
    expect(contents(join(dir, 'prefix'))).toEqual(['good.bin']);
  });

  it('keeps nothing when the hash is wrong, and says both hashes', async () => {
    const folder = join(dir, 'wrong');
    const dest = join(folder, 'good.bin');
    const wrong = { sha256Prefix: '00000000' };
    const err = await downloadFile({
      url: `${server.base}good.bin`,
      dest,
      checksum: wrong,
      what: 'the weights X',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toContain(`has sha256 ${sha256}, expected 00000000…`);
    expect((err as Error).message).toContain('the weights X');
    expect(contents(folder)).toEqual([]);
  });

  it('keeps nothing when the connection is cut mid-file', async () => {
    const folder = join(dir, 'cut');
    const dest = join(folder, 'cut.bin');
    const err = await downloadFile({
      url: `${server.base}cut.bin`,
      dest,
      checksum: { md5 },
      what: 'a test file',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err).not.toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toMatch(/broke off after \d+ bytes .*nothing was kept at .*cut\.bin/);
    expect(contents(folder)).toEqual([]);
  });

  it('explains a server refusal and an unreachable server (offline)', async () => {
    const dest = join(dir, 'refused', 'missing.bin');
    await expect(
      downloadFile({ url: `${server.base}missing.bin`, dest, checksum: { md5 }, what: 'a test file' }),
    ).rejects.toThrow(/answered 404 .*put it at .*missing\.bin/);
    const offline = await closedPortUrl();
    const err = await downloadFile({
      url: `${offline}x.bin`,
      dest,
      checksum: { md5 },
      what: 'a test file',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toMatch(
      /ECONNREFUSED.*seems to be offline.*put it at .*missing\.bin.*RESNET_NATIVE_MIRROR/,
    );
    expect(contents(join(dir, 'refused'))).toEqual([]);
  });
});

describe('cache folder and mirror', () => {
  const saved = { ...process.env };
  afterAll(() => {
    for (const k of ['RESNET_NATIVE_HOME', 'XDG_CACHE_HOME', 'TORCH_HOME', 'RESNET_NATIVE_MIRROR']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('chooses RESNET_NATIVE_HOME, else XDG_CACHE_HOME, else ~/.cache; torch.hub as PyTorch does', () => {
    process.env['RESNET_NATIVE_HOME'] = '/r';
    process.env['XDG_CACHE_HOME'] = '/x';
    expect(cacheDir()).toBe('/r');
    delete process.env['RESNET_NATIVE_HOME'];
    expect(cacheDir()).toBe('/x/resnet-native');
    delete process.env['XDG_CACHE_HOME'];
    expect(cacheDir()).toMatch(/\/\.cache\/resnet-native$/);
    process.env['TORCH_HOME'] = '/t';
    expect(torchHubCheckpointsDir()).toBe('/t/hub/checkpoints');
  });

  it('replaces the URL by the mirror plus the file name (option first, then RESNET_NATIVE_MIRROR)', () => {
    const url = 'https://download.pytorch.org/models/resnet50-11ad3fa6.pth';
    delete process.env['RESNET_NATIVE_MIRROR'];
    expect(mirrorUrl('resnet50-11ad3fa6.pth', url)).toBe(url);
    process.env['RESNET_NATIVE_MIRROR'] = 'http://127.0.0.1:1/m';
    expect(mirrorUrl('resnet50-11ad3fa6.pth', url)).toBe('http://127.0.0.1:1/m/resnet50-11ad3fa6.pth');
    expect(mirrorUrl('f.pth', url, 'http://h/')).toBe('http://h/f.pth');
  });
});
