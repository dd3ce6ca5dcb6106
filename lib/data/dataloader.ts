/**
 * Batches from a dataset: seeded shuffling, drop-last, batch transforms, and prefetching.
 * Every batch draws its augmentations from its own generator (seed, epoch, batch index),
 * so an epoch can be resumed from any batch and replay exactly what a full run would see.
 * For file datasets the decoding of the next batches is started before the current one
 * is handed out; it runs on libuv's threads while the training step runs.
 */
import { describe } from '../describe.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../creation.js';
import { cuda } from '../cuda.js';
import { noCudaMessage } from '../device.js';
import { tidy } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { checkBool, checkInt } from '../validate.js';
import type { Dataset, ItemDataset, TensorDataset } from './dataset.js';
import { Rng } from './rng.js';
import type { Transform } from './transforms/transform.js';

/** Options of `DataLoader`, as `torch.utils.data.DataLoader`'s (camelCased). */
export interface DataLoaderOptions {
  /** Examples per batch (default 64). */
  batchSize?: number;
  /** Shuffle the order each epoch, from `seed` and the epoch number (default false). */
  shuffle?: boolean;
  /** Seeds shuffling and augmentation (with the epoch number). */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Applied to each float batch (N, C, H, W), after uint8 pixels are scaled to [0, 1]. */
  transform?: Transform;
  /** Batches prepared ahead of the one being used. */
  prefetch?: number;
  /**
   * Put each batch in pinned (page-locked) host memory, from which `to('cuda', { nonBlocking:
   * true })` copies asynchronously, as PyTorch's `pin_memory` (default false). Without a CUDA
   * device it does nothing, with one warning, as PyTorch warns.
   */
  pinMemory?: boolean;
  /**
   * Where each epoch's indices come from instead of `shuffle` (PyTorch's `sampler`): a
   * `dist.DistributedSampler` gives each rank its share. Its `indices(epoch)` is called with
   * the epoch being iterated, so the order changes per epoch as after PyTorch's `set_epoch`.
   */
  sampler?: Sampler;
}

/** A source of sample indices per epoch (`dist.DistributedSampler` is one). */
export interface Sampler {
  /** Samples per epoch. */
  readonly length: number;
  /** The indices of `epoch`, in order. */
  indices(epoch: number): Int32Array;
}

let warnedNoPin = false;

/** Whether pinning can work here; warns once per process when it cannot (as PyTorch does). */
function canPin(): boolean {
  if (cuda.deviceCount() > 0) return true;
  if (!warnedNoPin) {
    warnedNoPin = true;
    process.emitWarning(`${noCudaMessage('DataLoader pinMemory')}. Batches stay in ordinary memory.`, {
      code: 'RESNET_NATIVE_NO_PIN_MEMORY',
    });
  }
  return false;
}

/** The batch with its CPU tensors moved to pinned memory. */
function pinned(batch: Batch): Batch {
  const pin = (t: Tensor): Tensor => {
    if (t.device !== 'cpu') return t;
    const p = t.pinMemory();
    t.dispose();
    return p;
  };
  return { input: pin(batch.input), target: pin(batch.target), index: batch.index };
}

/** One batch, as the DataLoader yields it. */
export interface Batch {
  /** float32 (N, C, H, W). */
  input: Tensor;
  /** int64 (N). */
  target: Tensor;
  /** Position of this batch in its epoch. */
  index: number;
}

/** Serves a dataset in batches (uint8 pixels scaled to float32 in [0, 1], then `transform`; int64 targets), as `torch.utils.data.DataLoader`: seeded shuffling, drop-last, batch transforms and prefetching. Iterate `loader.epoch(n)`, or the loader itself (epochs 0, 1, ... in turn). */
export class DataLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly transform: Transform | undefined;
  readonly prefetch: number;
  /** Whether batches are pinned (false when asked for without a CUDA device). */
  readonly pinMemory: boolean;
  /** Where the indices come from, when not from `shuffle`. */
  readonly sampler: Sampler | undefined;
  private epochCounter = 0;

  constructor(
    readonly dataset: Dataset,
    options: DataLoaderOptions = {},
  ) {
    const kind = (dataset as { kind?: unknown } | null)?.kind;
    if (kind !== 'tensor' && kind !== 'items')
      throw new ArgumentError(
        `Expected a Dataset (a TensorDataset { kind: 'tensor', inputs, targets, classes, length } or an ItemDataset such as ImageFolder) for dataset but received ${describe(dataset)}`,
      );
    this.batchSize = checkInt('batchSize', options.batchSize ?? 64, 1);
    this.shuffle = checkBool('shuffle', options.shuffle ?? false);
    this.seed = checkInt('seed', options.seed ?? 0, 0);
    this.dropLast = checkBool('dropLast', options.dropLast ?? false);
    this.transform = options.transform;
    this.prefetch = checkInt('prefetch', options.prefetch ?? 2, 0);
    this.pinMemory = checkBool('pinMemory', options.pinMemory ?? false) && canPin();
    const sampler = options.sampler;
    if (
      sampler !== undefined &&
      (typeof sampler?.indices !== 'function' || !Number.isInteger(sampler.length))
    )
      throw new ArgumentError(
        `Expected sampler to have indices(epoch) and an integer length but received ${describe(sampler)}`,
      );
    if (sampler !== undefined && this.shuffle)
      throw new ArgumentError(
        'Expected shuffle to be false with a sampler (the sampler decides the order) but received true',
      );
    this.sampler = sampler;
  }

  /** Examples per epoch: the sampler's share, or the whole dataset. */
  get examples(): number {
    return this.sampler?.length ?? this.dataset.length;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.examples / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The sample order of `epoch`. */
  order(epoch: number): Int32Array {
    if (this.sampler !== undefined) return this.sampler.indices(epoch);
    const n = this.dataset.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return new Rng(this.seed, epoch, 0x5eed).permutation(n);
  }

  /**
   * Iterates one epoch, from batch `startBatch` (for resuming mid-epoch). A batch that fails
   * (a corrupt image) rejects where it is awaited, in order; batches prepared ahead are
   * disposed when the loop stops early (`break`, a throw) or fails.
   */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const pending: Promise<Batch>[] = [];
    let next = checkInt('startBatch', startBatch, 0);
    const fill = (): void => {
      while (pending.length <= this.prefetch && next < this.length) {
        const b = next++;
        const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
        const batch = this.makeBatch(indices, new Rng(this.seed, epoch, b + 1), b);
        // Handled now, awaited later: a batch failing while an earlier one is in use must not
        // become an unhandled rejection (which ends the process); its await below rethrows.
        batch.catch(() => undefined);
        pending.push(batch);
      }
    };
    try {
      fill();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        fill();
        yield batch;
      }
    } finally {
      // Reached on break, on a throw in the loop body and on a failed batch: what was made
      // ahead is freed, now or as soon as it is ready.
      for (const p of pending.splice(0))
        p.then(
          (b) => {
            b.input.dispose();
            b.target.dispose();
          },
          () => undefined,
        );
    }
  }

  /** Iterates the next epoch (0 the first time, then 1, 2, ...). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    yield* this.epoch(this.epochCounter++);
  }

  private async makeBatch(indices: Int32Array, rng: Rng, index: number): Promise<Batch> {
    let batch: Batch;
    if (this.dataset.kind === 'tensor') {
      // In-memory batches are built in a macrotask of their own: the event loop gets a turn
      // between them, and a batch is made while a native training step runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      batch = this.fromTensors(this.dataset, indices, rng, index);
    } else {
      batch = await this.fromItems(this.dataset, indices, rng, index);
    }
    return this.pinMemory ? pinned(batch) : batch;
  }

  private fromTensors(ds: TensorDataset, indices: Int32Array, rng: Rng, index: number): Batch {
    return tidy(() => {
      const idx = tensor(indices, { dtype: 'int64', device: ds.inputs.device });
      return {
        input: this.finish(ds.inputs.indexSelect(0, idx), rng),
        target: ds.targets.indexSelect(0, idx),
        index,
      };
    });
  }

  private async fromItems(ds: ItemDataset, indices: Int32Array, rng: Rng, index: number): Promise<Batch> {
    const samples = await Promise.all(Array.from(indices, (i) => ds.get(i, rng)));
    const [c, h, w] = samples[0]!.shape;
    const pixels = new Uint8Array(samples.length * c * h * w);
    samples.forEach((s, k) => {
      if (s.shape[0] !== c || s.shape[1] !== h || s.shape[2] !== w) {
        throw new ArgumentError(
          `Images in a batch must share one size: ${s.shape.join('×')} vs ${c}×${h}×${w}; give the dataset a size`,
        );
      }
      pixels.set(s.pixels, k * c * h * w);
    });
    const targets = BigInt64Array.from(samples, (s) => BigInt(s.target));
    return tidy(() => ({
      input: this.finish(tensor(pixels, { shape: [samples.length, c, h, w] }), rng),
      target: tensor(targets),
      index,
    }));
  }

  private finish(x: Tensor, rng: Rng): Tensor {
    const float = x.dtype === 'uint8' ? x.to('float32').div(255) : x;
    return this.transform ? this.transform.apply(float, rng) : float;
  }
}
