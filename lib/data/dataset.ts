/** The two kinds of datasets the DataLoader serves. */
import type { Tensor } from '../tensor.js';

/**
 * A dataset held in memory as two tensors: inputs (N, C, H, W), usually uint8, and int64
 * targets (N). Batches are gathered with one indexSelect, and transforms run per batch.
 */
export interface TensorDataset {
  /** Tells the two kinds of dataset apart. */
  readonly kind: 'tensor';
  /** All inputs, (N, C, H, W). */
  readonly inputs: Tensor;
  /** All class indices, int64 (N). */
  readonly targets: Tensor;
  /** Class names, by class index. */
  readonly classes: readonly string[];
  /** Number of examples (N). */
  readonly length: number;
}

/** One decoded example: CHW uint8 pixels and its class index. */
export interface Sample {
  /** The pixels, CHW order. */
  pixels: Uint8Array;
  /** [C, H, W]. */
  shape: [number, number, number];
  /** The class index. */
  target: number;
}

/**
 * A dataset read item by item (files on disk). `get` is async so that decoding runs on
 * libuv's threads, where it overlaps with training on the JavaScript thread.
 */
export interface ItemDataset {
  /** Tells the two kinds of dataset apart. */
  readonly kind: 'items';
  /** Class names, by class index. */
  readonly classes: readonly string[];
  /** Number of examples. */
  readonly length: number;
  /** Decodes example `index`; random augmentations draw from `rng` (its `next()` is uniform in [0, 1)). */
  get(index: number, rng: { next(): number }): Promise<Sample>;
}

/** What a `DataLoader` serves: a dataset in memory as two tensors, or one read item by item. */
export type Dataset = TensorDataset | ItemDataset;
