/**
 * CIFAR-10's Python version, read without Python. scripts/gen_cifar_python.py (Debian's Python
 * with numpy) writes small batches in the layout of the real files (Python 2 cPickle, protocol
 * 2, a uint8 numpy array), the same images as the binary version, and a summary of what
 * `pickle.load(f, encoding='bytes')` read back; Python and numpy are the reference.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../lib/errors.js';
import { data } from '../../lib/index.js';
import { readCifarPythonBatch } from '../../lib/data/cifar10_python.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../scripts/gen_cifar_python.py', import.meta.url));
const PER_BATCH = 20;
const dir = mkdtempSync(join(tmpdir(), 'rn-cifar-py-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Summary = Record<string, { shape: number[]; pixel_sum: number; labels: number[] }>;
let summary: Summary;
beforeAll(async () => {
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, dir, String(PER_BATCH)], { timeout: 60_000 });
  summary = JSON.parse(stdout) as Summary;
}, 90_000);

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

describe('CIFAR10, Python version', () => {
  it('reads the batches as Python reads them, equal to the binary version of the same images', async () => {
    for (const train of [true, false]) {
      const py = await data.CIFAR10.load({ root: join(dir, 'cifar-10-batches-py'), train });
      const bin = await data.CIFAR10.load({ root: join(dir, 'cifar-10-batches-bin'), train });
      const batches = train ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`) : ['test_batch'];
      expect(py.inputs.shape).toEqual([PER_BATCH * batches.length, 3, 32, 32]);
      expect(py.inputs.dtype).toBe('uint8');
      expect(py.targets.dtype).toBe('int64');
      expect(py.inputs.dataSync()).toEqual(bin.inputs.dataSync());
      expect(py.targets.dataSync()).toEqual(bin.targets.dataSync());
      const labels = Array.from(py.targets.dataSync() as BigInt64Array, Number);
      expect(labels).toEqual(batches.flatMap((b) => summary[b]!.labels));
      const pixels = py.inputs.dataSync() as Uint8Array;
      const per = 3 * 32 * 32 * PER_BATCH;
      batches.forEach((b, i) =>
        expect(sum(pixels.subarray(i * per, (i + 1) * per))).toBe(summary[b]!.pixel_sum),
      );
    }
  });

  it('finds cifar-10-batches-py under its parent folder', async () => {
    const root = join(dir, 'parent');
    await mkdir(join(root, 'cifar-10-batches-py'), { recursive: true });
    for (const name of ['test_batch', 'batches.meta'])
      await copyFile(join(dir, 'cifar-10-batches-py', name), join(root, 'cifar-10-batches-py', name));
    const test = await data.CIFAR10.load({ root, train: false });
    expect(test.length).toBe(PER_BATCH);
  });

  it('refuses a batch that would run code in Python, and runs nothing', async () => {
    const path = join(dir, 'refused', 'evil');
    const err = await readCifarPythonBatch(path, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/evil: numpy pickle: refusing the global posix\.system/);
    expect(existsSync(join(dir, 'refused', 'evil_ran'))).toBe(false);
  });

  it.each([
    ['float64', /only uint8 arrays are supported.*'f8'/],
    ['fortran', /C-ordered array/],
    ['python3_pickle', /refusing the global _codecs\.encode/],
    ['narrow', /'data' to be a uint8 array of shape \(N, 3072\) but received shape \(20, 1024\)/],
    ['bad_label', /label 0 is 11, expected an int in \[0, 10\)/],
    ['no_data', /no 'data' entry/],
  ])('refuses what the real files never hold: %s', async (name, message) => {
    const err = await readCifarPythonBatch(join(dir, 'refused', name), 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(message);
  });

  it('explains a truncated batch and a folder of another dataset', async () => {
    const bytes = await readFile(join(dir, 'cifar-10-batches-py', 'test_batch'));
    const cut = join(dir, 'truncated');
    await writeFile(cut, bytes.subarray(0, bytes.length >> 1));
    await expect(readCifarPythonBatch(cut, 10)).rejects.toThrow(/truncated/);

    // CIFAR-100's batches.meta has other keys; a meta with other class names is refused
    const other = join(dir, 'other');
    await mkdir(other, { recursive: true });
    await copyFile(join(dir, 'cifar-10-batches-py', 'test_batch'), join(other, 'test_batch'));
    await copyFile(join(dir, 'refused', 'no_data'), join(other, 'batches.meta'));
    await expect(data.CIFAR10.load({ root: other, train: false })).rejects.toThrow(/no 'label_names' entry/);
    await expect(data.CIFAR10.load({ root: join(dir, 'nowhere') })).rejects.toThrow(
      /CIFAR-10 not found in .*nowhere: expected test_batch\.bin \(binary version\) or test_batch/,
    );
  });
});
