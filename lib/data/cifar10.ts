/**
 * CIFAR-10 (32×32 colour images, 10 classes) from either version on disk: the binary one
 * (cifar-10-batches-bin: per record 1 label byte + 3×32×32 pixels) or the Python one
 * (cifar-10-batches-py: pickled dicts, read without Python by cifar10_python.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tensor } from '../creation.js';
import { cacheDir } from '../download/cache.js';
import { downloadCifar10 } from '../download/datasets.js';
import { ArgumentError, FormatError } from '../errors.js';
import { readCifarPythonBatch, readCifarPythonClassNames, type CifarBatch } from './cifar10_python.js';
import type { TensorDataset } from './dataset.js';

/** CIFAR-10's class names, by class index. */
export const cifar10Classes = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const; // prettier-ignore

const PIXELS = 3 * 32 * 32;
const RECORD = 1 + PIXELS;

/** Where a CIFAR-10 version lies under `root`: the folder itself, or its usual subfolder. */
export function findCifar10(root: string): { version: 'binary' | 'python'; dir: string } | undefined {
  for (const [version, sub, probe] of [
    ['binary', 'cifar-10-batches-bin', 'test_batch.bin'],
    ['python', 'cifar-10-batches-py', 'test_batch'],
  ] as const) {
    for (const dir of [root, join(root, sub)]) if (existsSync(join(dir, probe))) return { version, dir };
  }
  return undefined;
}

async function readBinaryBatch(path: string): Promise<CifarBatch> {
  const buf = await readFile(path);
  if (buf.length % RECORD !== 0)
    throw new FormatError(`${path} is not a CIFAR-10 binary batch (size ${buf.length})`);
  const count = buf.length / RECORD;
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let k = 0, off = 0; k < count; k++, off += RECORD) {
    const label = buf[off]!;
    if (label > 9) throw new FormatError(`${path}: record ${k} has label ${label}`);
    labels[k] = label;
    pixels.set(buf.subarray(off + 1, off + RECORD), k * PIXELS);
  }
  return { count, pixels, labels };
}

/** The CIFAR-10 dataset (32×32 colour images, 10 classes, 50k train / 10k test), in memory: inputs uint8 (N, 3, 32, 32), targets int64 (N). Create with `CIFAR10.load`. */
export class CIFAR10 implements TensorDataset {
  /** An in-memory dataset. */
  readonly kind = 'tensor';
  /** Class names, by class index. */
  readonly classes = cifar10Classes;

  private constructor(
    readonly inputs: TensorDataset['inputs'],
    readonly targets: TensorDataset['targets'],
  ) {}

  /** Number of images. */
  get length(): number {
    return this.inputs.shape[0]!;
  }

  /**
   * `root` is the folder holding the batches of either version (data_batch_1.bin … test_batch.bin,
   * or data_batch_1 … test_batch and batches.meta), or its parent holding cifar-10-batches-bin
   * or cifar-10-batches-py. With `download: true`, a `root` without CIFAR-10 gets torchvision's
   * archive of the Python version, md5-checked and unpacked into `root/cifar-10-batches-py`;
   * `root` then defaults to `<cache>/datasets/cifar10` (see `cacheDir`).
   */
  static async load(options: {
    root?: string;
    train?: boolean;
    download?: boolean;
    mirror?: string;
  }): Promise<CIFAR10> {
    const download = options.download === true;
    const root = options.root ?? (download ? join(cacheDir(), 'datasets', 'cifar10') : undefined);
    if (root === undefined)
      throw new ArgumentError(
        'Expected options.root (the CIFAR-10 folder) or download: true but received neither',
      );
    if (download && findCifar10(root) === undefined)
      await downloadCifar10(root, options.mirror === undefined ? {} : { mirror: options.mirror });
    const found = findCifar10(root);
    if (found === undefined)
      throw new FormatError(
        `CIFAR-10 not found in ${root}: expected test_batch.bin (binary version) or test_batch ` +
          '(Python version), there or in cifar-10-batches-bin/ or cifar-10-batches-py/; or pass download: true',
      );
    const { version, dir } = found;
    const ext = version === 'binary' ? '.bin' : '';
    const names = options.train === false ? ['test_batch'] : [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`);
    if (version === 'python') await checkMeta(join(dir, 'batches.meta'));
    const batches = await Promise.all(
      names.map(async (name) => {
        const path = join(dir, name + ext);
        if (!existsSync(path)) throw new FormatError(`CIFAR-10 file ${name + ext} not found in ${dir}`);
        return version === 'binary'
          ? readBinaryBatch(path)
          : readCifarPythonBatch(path, cifar10Classes.length);
      }),
    );
    const n = batches.reduce((a, b) => a + b.count, 0);
    const pixels = new Uint8Array(n * PIXELS);
    const labels = new BigInt64Array(n);
    let k = 0;
    for (const b of batches) {
      pixels.set(b.pixels, k * PIXELS);
      b.labels.forEach((y, i) => (labels[k + i] = BigInt(y)));
      k += b.count;
    }
    return new CIFAR10(tensor(pixels, { shape: [n, 3, 32, 32] }), tensor(labels));
  }
}

/** batches.meta, when present, must name CIFAR-10's classes (a CIFAR-100 folder is refused). */
async function checkMeta(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const names = await readCifarPythonClassNames(path);
  if (names.join() !== cifar10Classes.join())
    throw new FormatError(
      `${path} names the classes ${names.slice(0, 4).join(', ')}…, expected CIFAR-10's (${cifar10Classes.slice(0, 4).join(', ')}…)`,
    );
}
