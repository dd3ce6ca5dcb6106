/** Fashion-MNIST (Xiao et al. 2017): 28×28 grayscale clothes, 10 classes, 60k/10k. */
import { join } from 'node:path';
import { tensor } from '../creation.js';
import { FormatError } from '../errors.js';
import type { TensorDataset } from './dataset.js';
import { readIdx } from './idx.js';
import { existsSync } from 'node:fs';
import { cacheDir } from '../download/cache.js';
import { downloadFashionMnist } from '../download/datasets.js';

/** Fashion-MNIST's class names, by class index. */
export const fashionMnistClasses = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const; // prettier-ignore

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const defaultFashionMnistRoot = '/usr/share/datasets/fashion-mnist';

/** Debian's folder when it has the files (or nothing is to be downloaded), else the cache's. */
function defaultRoot(download: boolean): string {
  const debian = existsSync(join(defaultFashionMnistRoot, 'train-images-idx3-ubyte.gz'));
  return debian || !download ? defaultFashionMnistRoot : join(cacheDir(), 'datasets', 'fashion-mnist');
}

function locate(root: string, stem: string): string {
  for (const name of [`${stem}.gz`, stem]) {
    const path = join(root, name);
    if (existsSync(path)) return path;
  }
  throw new FormatError(
    `Fashion-MNIST file ${stem}(.gz) not found in ${root}; pass download: true, or on Debian: apt-get install dataset-fashion-mnist`,
  );
}

/** The Fashion-MNIST dataset (28×28 grayscale, 10 classes, 60k train / 10k test) from its IDX files, in memory. Create with `FashionMNIST.load`. */
export class FashionMNIST implements TensorDataset {
  /** An in-memory dataset. */
  readonly kind = 'tensor';
  /** Class names, by class index. */
  readonly classes = fashionMnistClasses;

  private constructor(
    readonly inputs: TensorDataset['inputs'],
    readonly targets: TensorDataset['targets'],
  ) {}

  /** Number of images. */
  get length(): number {
    return this.inputs.shape[0]!;
  }

  /**
   * Reads the train (60k) or test (10k) split: inputs uint8 (N, 1, 28, 28), targets int64 (N),
   * from `root` (default: Debian's folder). With `download: true`, torchvision's files missing
   * from `root` are downloaded there (md5-checked); without a `root`, into
   * `<cache>/datasets/fashion-mnist` unless Debian's package has them (see `cacheDir`).
   */
  static async load(
    options: { root?: string; train?: boolean; download?: boolean; mirror?: string } = {},
  ): Promise<FashionMNIST> {
    const root = options.root ?? defaultRoot(options.download === true);
    if (options.download === true)
      await downloadFashionMnist(root, options.mirror === undefined ? {} : { mirror: options.mirror });
    const prefix = options.train === false ? 't10k' : 'train';
    const [images, labels] = await Promise.all([
      readIdx(locate(root, `${prefix}-images-idx3-ubyte`)),
      readIdx(locate(root, `${prefix}-labels-idx1-ubyte`)),
    ]);
    const [n, h, w] = images.shape;
    if (images.shape.length !== 3 || labels.shape[0] !== n) {
      throw new FormatError(`Fashion-MNIST images ${images.shape} and labels ${labels.shape} do not match`);
    }
    const inputs = tensor(images.data, { shape: [n!, 1, h!, w!] });
    const targets = tensor(new BigInt64Array(Array.from(labels.data, (v) => BigInt(v))));
    return new FashionMNIST(inputs, targets);
  }
}
