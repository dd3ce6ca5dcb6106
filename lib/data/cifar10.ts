/** CIFAR-10's binary version (cifar-10-batches-bin): per record 1 label byte + 3×32×32 pixels. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tensor } from '../creation.js';
import { FormatError } from '../errors.js';
import type { TensorDataset } from './dataset.js';

/** CIFAR-10's class names, by class index. */
export const cifar10Classes = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const; // prettier-ignore

const RECORD = 1 + 3 * 32 * 32;

/** The CIFAR-10 dataset (32×32 colour images, 10 classes, 50k train / 10k test) from its binary version, in memory: inputs uint8 (N, 3, 32, 32), targets int64 (N). Create with `CIFAR10.load`. */
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

  /** `root` is the folder holding data_batch_1.bin … test_batch.bin (or its parent). */
  static async load(options: { root: string; train?: boolean }): Promise<CIFAR10> {
    let root = options.root;
    if (!existsSync(join(root, 'test_batch.bin')) && existsSync(join(root, 'cifar-10-batches-bin'))) {
      root = join(root, 'cifar-10-batches-bin');
    }
    const names =
      options.train === false ? ['test_batch.bin'] : [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
    const files = await Promise.all(
      names.map(async (name) => {
        const path = join(root, name);
        if (!existsSync(path))
          throw new FormatError(
            `CIFAR-10 file ${name} not found in ${root} (the binary version is expected)`,
          );
        const buf = await readFile(path);
        if (buf.length % RECORD !== 0)
          throw new FormatError(`${path} is not a CIFAR-10 binary batch (size ${buf.length})`);
        return buf;
      }),
    );
    const n = files.reduce((a, f) => a + f.length / RECORD, 0);
    const pixels = new Uint8Array(n * (RECORD - 1));
    const labels = new BigInt64Array(n);
    let k = 0;
    for (const f of files) {
      for (let off = 0; off < f.length; off += RECORD, k++) {
        const label = f[off]!;
        if (label > 9) throw new FormatError(`CIFAR-10 record ${k} has label ${label}`);
        labels[k] = BigInt(label);
        pixels.set(f.subarray(off + 1, off + RECORD), k * (RECORD - 1));
      }
    }
    return new CIFAR10(tensor(pixels, { shape: [n, 3, 32, 32] }), tensor(labels));
  }
}
