/**
 * `download: true` for Fashion-MNIST and CIFAR-10 against a server on loopback. The real
 * archives cannot be served here (no network), so the good path runs with the test's own files
 * and their md5s, and the public path is shown to check torchvision's md5s: a file that is not
 * the published one is refused and nothing is kept.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadCifar10, downloadFashionMnist } from '../../lib/download/datasets.js';
import { datasetTable } from '../../lib/download/table.js';
import { ChecksumError } from '../../lib/errors.js';
import { data, type Tensor } from '../../lib/index.js';
import { closedPortUrl, startLoopbackServer, type LoopbackServer } from '../helpers/loopback_server.js';

const DEBIAN = data.defaultFashionMnistRoot;
const SCRIPT = fileURLToPath(new URL('../../scripts/gen_cifar_python.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-data-download-'));
/** Bitwise equality of two tensors' bytes (vitest's toEqual is slow on millions of elements). */
const same = (a: Tensor, b: Tensor) => {
  const bytes = (t: Tensor) => {
    const v = t.dataSync();
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  };
  return a.dtype === b.dtype && a.shape.join() === b.shape.join() && bytes(a).equals(bytes(b));
};
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const fmFiles = datasetTable['fashion-mnist'].files.map((f) => f.file);
const cifar = datasetTable.cifar10;

let server: LoopbackServer;
let archive: Uint8Array;
beforeAll(async () => {
  server = await startLoopbackServer();
  // Debian's Fashion-MNIST files, under torchvision's names (Debian recompressed them: other md5s)
  for (const f of fmFiles) server.routes.set(f, { body: readFileSync(join(DEBIAN, f)) });
  // a small CIFAR-10 Python version, written by Python in the real files' layout, as an archive
  await promisify(execFile)('/usr/bin/python3', [SCRIPT, join(dir, 'made'), '10'], { timeout: 60_000 });
  const tgz = join(dir, 'made', cifar.file);
  await create({ gzip: true, file: tgz, cwd: join(dir, 'made') }, [cifar.folder]);
  archive = readFileSync(tgz);
  server.routes.set(cifar.file, { body: archive });
}, 90_000);
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Fashion-MNIST download', () => {
  it('downloads the missing files, verified, and reads them as the originals', async () => {
    const root = join(dir, 'fm');
    const files = fmFiles.map((file) => ({ file, md5: md5(readFileSync(join(DEBIAN, file))) }));
    await downloadFashionMnist(root, { mirror: server.base }, { mirrors: ['unused'], files });
    expect(readdirSync(root).sort()).toEqual([...fmFiles].sort());
    const got = await data.FashionMNIST.load({ root, train: false, download: true, mirror: server.base });
    const original = await data.FashionMNIST.load({ train: false });
    expect(same(got.inputs, original.inputs)).toBe(true);
    expect(same(got.targets, original.targets)).toBe(true);
  });

  it("checks torchvision's md5s: other files are refused and not kept", async () => {
    const root = join(dir, 'fm-public');
    const err = await data.FashionMNIST.load({ root, download: true, mirror: server.base }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toContain(`expected ${datasetTable['fashion-mnist'].files[0]!.md5}`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('explains an offline machine', async () => {
    const root = join(dir, 'fm-offline');
    await expect(
      data.FashionMNIST.load({ root, download: true, mirror: await closedPortUrl() }),
    ).rejects.toThrow(/seems to be offline.*put it at .*fm-offline\/train-images-idx3-ubyte\.gz/);
  });
});

describe('CIFAR-10 download', () => {
  it('downloads and unpacks the Python version, verified file by file, and reads it', async () => {
    const root = join(dir, 'cifar');
    const made = join(dir, 'made', cifar.folder);
    const contents = cifar.contents.map(({ file }) => ({ file, md5: md5(readFileSync(join(made, file))) }));
    await downloadCifar10(root, { mirror: server.base }, { ...cifar, md5: md5(archive), contents });
    expect(readdirSync(root)).toEqual([cifar.folder]); // the archive and the temporary folder are gone
    const got = await data.CIFAR10.load({
      root,
      train: false,
      download: true,
      mirror: 'http://unused.invalid/',
    });
    const original = await data.CIFAR10.load({ root: join(dir, 'made'), train: false });
    expect(got.length).toBe(10);
    expect(same(got.inputs, original.inputs)).toBe(true);
  });

  it('refuses an archive whose files are not the expected ones, leaving no folder', async () => {
    const root = join(dir, 'cifar-bad-content');
    const contents = cifar.contents.map(({ file }) => ({ file, md5: '0'.repeat(32) }));
    await expect(
      downloadCifar10(root, { mirror: server.base }, { ...cifar, md5: md5(archive), contents }),
    ).rejects.toThrow(/data_batch_1 .* does not have torchvision's md5/);
    expect(existsSync(join(root, cifar.folder))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('.extract'))).toEqual([]);
  });

  it("checks torchvision's archive md5 on the public path", async () => {
    const root = join(dir, 'cifar-public');
    const err = await data.CIFAR10.load({ root, download: true, mirror: server.base }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as Error).message).toContain(`expected ${cifar.md5}`);
    expect(readdirSync(root)).toEqual([]);
  });
});
