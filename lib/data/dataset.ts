/** The two kinds of datasets the DataLoader serves. */
import type { Tensor } from '../tensor.js';

/**
 * A dataset held in memory as two tensors: inputs (N, C, H, W), usually uint8, and int64
 * targets (N). Batches are gathered with one indexSelect, and transforms run per batch.
 */
export interface TensorDataset {
  readonly kind: 'tensor';
  readonly inputs: Tensor;
  readonly targets: Tensor;
  readonly classes: readonly string[];
  readonly length: number;
}

/** One decoded example: CHW uint8 pixels and its class index. */
export interface Sample {
  pixels: Uint8Array;
  shape: [number, number, number];
  target: number;
}

/**
 * A dataset read item by item (files on disk). `get` is async so that decoding runs on
 * libuv's threads, where it overlaps with training on the JavaScript thread.
 */
export interface ItemDataset {
  readonly kind: 'items';
  readonly classes: readonly string[];
  readonly length: number;
  get(index: number, rng: { next(): number }): Promise<Sample>;
}

export type Dataset = TensorDataset | ItemDataset;
