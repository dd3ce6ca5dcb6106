/**
 * The network behind the server: batches padded to a few fixed sizes, so that `forwardAsync`
 * captures one program per size (at warm-up, before the server listens) and every later batch
 * replays natively, off the JavaScript thread.
 */
import type { ModelMetadata } from '../model_file/metadata.js';
import type { Module } from '../nn/module.js';
import { batchImages } from '../preprocess/to_tensor.js';

/** The batch sizes run: powers of two up to `maxBatch`, and `maxBatch` itself. */
export function batchSizes(maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let s = 1; s < maxBatch; s *= 2) sizes.push(s);
  sizes.push(maxBatch);
  return sizes;
}

/** Runs CHW images through `model` in padded batches and returns each image's logits. */
export class PaddedInference {
  readonly sizes: number[];
  readonly #shape: [number, number, number];

  constructor(
    private readonly model: Module,
    metadata: ModelMetadata,
    maxBatch: number,
  ) {
    this.sizes = batchSizes(maxBatch);
    this.#shape = [metadata.inChannels, metadata.cropSize, metadata.cropSize];
    model.eval();
  }

  /** The padded size a batch of `n` runs at. */
  paddedSize(n: number): number {
    return this.sizes.find((s) => s >= n) ?? n;
  }

  /** Captures the network at every batch size (on this thread, once), so requests only replay. */
  async warmUp(): Promise<void> {
    const zero = new Float32Array(this.#shape[0] * this.#shape[1] * this.#shape[2]);
    // Twice per size: the first call captures eagerly, the second checks the replay.
    for (const s of this.sizes)
      for (let i = 0; i < 2; i++) await this.run(Array.from({ length: s }, () => zero));
  }

  /** Logits of each of `images` (rows of zeros pad the batch; in eval mode rows do not interact). */
  async run(images: Float32Array[]): Promise<Float32Array[]> {
    const n = images.length;
    const padded = this.paddedSize(n);
    const zero = padded > n ? new Float32Array(images[0]!.length) : undefined;
    const x = batchImages([...images, ...Array.from({ length: padded - n }, () => zero!)], this.#shape);
    try {
      // The plain replay: with the fast path (issue 18) batching gained only 1.38x over
      // one-at-a-time serving here (test/serve/load.test.ts), against 1.5x and more without it.
      const y = await this.model.forwardAsync(x, { fastPath: false });
      try {
        const logits = (await y.data()) as Float32Array;
        const classes = logits.length / padded;
        return Array.from({ length: n }, (_, i) => logits.slice(i * classes, (i + 1) * classes));
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  }
}
