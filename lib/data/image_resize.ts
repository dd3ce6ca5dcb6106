/** Resize-then-center-crop of a decoded image with sharp, by torchvision's rule (geometry.ts). */
import type { Sharp } from 'sharp';
import { ArgumentError } from '../errors.js';
import { centerOffset, resizedSize } from './transforms/geometry.js';

/** `image` (W × H) with its shorter side resized to `resize`, then its center `crop` × `crop`. */
export function resizeCenterCrop(image: Sharp, W: number, H: number, resize: number, crop: number): Sharp {
  if (resize < crop)
    throw new ArgumentError(`Expected a resize size >= the crop size ${crop} but received ${resize}`);
  const [h, w] = resizedSize(H, W, resize);
  return image.resize(w, h, { fit: 'fill', kernel: 'linear' }).extract({
    left: centerOffset(w, crop),
    top: centerOffset(h, crop),
    width: crop,
    height: crop,
  });
}
