/** Decoded pixels to the network's input: scaled to [0, 1], normalized per channel, CHW, batched. */
import { tensor } from '../creation.js';
import { ShapeError } from '../errors.js';
import type { Preprocessing } from '../model_file/metadata.js';
import type { Tensor } from '../tensor.js';
import { decodeImage, type DecodedImage, type ImageInput } from './decode.js';

/** `img` (HWC uint8) as normalized CHW float32: torchvision's `ToTensor` then `Normalize(mean, std)`. */
export function normalizeToChw(img: DecodedImage, p: Pick<Preprocessing, 'mean' | 'std'>): Float32Array {
  const { data, width, height, channels: c } = img;
  if (p.mean.length !== c || p.std.length !== c)
    throw new ShapeError(
      `Expected ${c} values of mean and std (the image's channels) but received ${p.mean.length} and ${p.std.length}`,
    );
  const plane = width * height;
  const out = new Float32Array(c * plane);
  for (let k = 0; k < c; k++) {
    // (x / 255 - mean) / std, as float32 like torchvision computes it
    const scale = 1 / (255 * p.std[k]!);
    const shift = p.mean[k]! / p.std[k]!;
    for (let i = 0; i < plane; i++) out[k * plane + i] = data[i * c + k]! * scale - shift;
  }
  return out;
}

/** Stacks CHW images of one shape into an (N, C, H, W) float32 tensor. */
export function batchImages(
  images: readonly Float32Array[],
  shape: readonly [number, number, number],
): Tensor {
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(images.length * size);
  images.forEach((img, i) => {
    if (img.length !== size)
      throw new ShapeError(
        `Expected image ${i} to have ${size} values (${shape.join('×')}) but it has ${img.length}`,
      );
    out.set(img, i * size);
  });
  return tensor(out, { shape: [images.length, ...shape] });
}

/** Decodes, resizes, crops and normalizes one image as `p` says: a CHW float32 array. */
export async function preprocessImage(
  input: ImageInput,
  p: Preprocessing,
  maxPixels?: number,
): Promise<Float32Array> {
  const img: DecodedImage = await decodeImage(input, {
    channels: p.mean.length === 1 ? 1 : 3,
    resizeSize: p.resizeSize,
    cropSize: p.cropSize,
    ...(maxPixels === undefined ? {} : { maxPixels }),
  });
  return normalizeToChw(img, p);
}

/** Decodes and preprocesses `images` (paths or Buffers) into one (N, C, crop, crop) tensor. */
export async function preprocess(images: readonly ImageInput[], p: Preprocessing): Promise<Tensor> {
  const arrays = await Promise.all(images.map((im) => preprocessImage(im, p)));
  return batchImages(arrays, [p.mean.length, p.cropSize, p.cropSize]);
}
