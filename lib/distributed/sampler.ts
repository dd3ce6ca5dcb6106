/**
 * DistributedSampler, as `torch.utils.data.DistributedSampler`: each rank gets every
 * `numReplicas`-th index of the epoch's order, the order drawn by `torch.randperm` from a
 * generator seeded with `seed + epoch`, and padded by repeating its start so that every rank
 * gets the same number of samples (or trimmed with `dropLast`). The index lists are PyTorch's.
 */
import { native } from '../binding.js';
import { ArgumentError } from '../errors.js';
import { wrap } from '../tensor.js';
import { checkBool, checkInt } from '../validate.js';
import { getRank, getWorldSize } from './process_group.js';

/** Options of `DistributedSampler` (PyTorch's names in camelCase). */
export interface DistributedSamplerOptions {
  /** Ranks sharing the data (default: the process group's world size). */
  numReplicas?: number;
  /** This rank (default: the process group's rank). */
  rank?: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Base seed, the same on every rank (default 0). */
  seed?: number;
  /** Drop the tail instead of padding it (default false). */
  dropLast?: boolean;
}

/** One rank's share of a dataset of `datasetLength` examples; pass it as a DataLoader's `sampler`. */
export class DistributedSampler {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Samples per rank and epoch. */
  readonly length: number;
  /** Samples per epoch over all ranks (`length * numReplicas`). */
  readonly totalSize: number;

  constructor(
    readonly datasetLength: number,
    options: DistributedSamplerOptions = {},
  ) {
    checkInt('datasetLength', datasetLength, 0);
    this.numReplicas = checkInt('numReplicas', options.numReplicas ?? getWorldSize(), 1);
    this.rank = checkInt('rank', options.rank ?? getRank(), 0);
    if (this.rank >= this.numReplicas)
      throw new ArgumentError(
        `Expected rank to be in [0, ${this.numReplicas - 1}] but received ${this.rank}`,
      );
    this.shuffle = checkBool('shuffle', options.shuffle ?? true);
    this.seed = checkInt('seed', options.seed ?? 0, 0);
    this.dropLast = checkBool('dropLast', options.dropLast ?? false);
    const n = datasetLength;
    this.length =
      this.dropLast && n % this.numReplicas !== 0
        ? Math.max(0, Math.ceil((n - this.numReplicas) / this.numReplicas)) // never -0
        : Math.ceil(n / this.numReplicas);
    this.totalSize = this.length * this.numReplicas;
  }

  /** This rank's indices for `epoch` (PyTorch's `set_epoch(epoch)` then `iter(sampler)`). */
  indices(epoch: number): Int32Array {
    checkInt('epoch', epoch, 0);
    const n = this.datasetLength;
    let order: Int32Array;
    if (this.shuffle) {
      const perm = wrap(native.randpermSeeded(n, this.seed + epoch));
      order = Int32Array.from(perm.dataSync() as BigInt64Array, (v) => Number(v));
      perm.dispose();
    } else order = Int32Array.from({ length: n }, (_, i) => i);
    const full = new Int32Array(this.totalSize);
    // Padding repeats the order from its start, as often as needed (PyTorch's list repetition).
    for (let i = 0; i < this.totalSize; i++) full[i] = n === 0 ? 0 : order[i % n]!;
    const mine = new Int32Array(this.length);
    for (let i = 0; i < this.length; i++) mine[i] = full[this.rank + i * this.numReplicas]!;
    return mine;
  }
}
