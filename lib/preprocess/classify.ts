/** `classify`: images in, top-k classes out, with the model's own preprocessing and class names. */
import { checkInt } from '../validate.js';
import { metadataFor, modelMetadata } from '../model_file/load_model.js';
import type { ModelMetadata } from '../model_file/metadata.js';
import type { Module } from '../nn/module.js';
import type { ImageInput } from './decode.js';
import { preprocess } from './to_tensor.js';
import { topK, type Prediction } from './topk.js';

/** Options of `classify`. */
export interface ClassifyOptions {
  /** Classes per image (default 5). */
  topk?: number;
  /** Preprocessing and class names (default: the model's, from `loadModel`, else the defaults of its architecture). */
  metadata?: ModelMetadata;
}

/**
 * The `topk` most probable classes of each image (paths or Buffers of JPEG, PNG, WebP, ...),
 * `{ label, index, score }` best first. Decoding runs on libuv's threads and the network off
 * the JavaScript thread (`forwardAsync`).
 */
export async function classify(
  model: Module,
  images: readonly ImageInput[],
  options: ClassifyOptions = {},
): Promise<Prediction[][]> {
  const k = checkInt('topk', options.topk ?? 5, 1);
  const m = options.metadata ?? modelMetadata(model) ?? metadataFor(model);
  if (images.length === 0) return [];
  const x = await preprocess(images, m);
  try {
    if (model.training) model.eval();
    const y = await model.forwardAsync(x);
    try {
      return topK((await y.data()) as Float32Array, images.length, k, m.classNames);
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}
