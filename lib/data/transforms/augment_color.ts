/**
 * The colour AutoAugment ops as torchvision's `transforms.functional` runs them on uint8
 * tensors: the same float32 arithmetic, then the cast back to uint8 (which truncates; values
 * are clamped to [0, 255] first, so truncation is `floor`). Each op takes and returns one
 * (C, H, W) float32 image holding 8-bit integer values, C = 1 or 3.
 */
import { tensor, where } from '../../creation.js';
import { conv2d, pad } from '../../nn/functional.js';
import type { Tensor } from '../../tensor.js';

/** `_blend`: `ratio·a + (1 − ratio)·b`, clamped to [0, 255], cast to uint8. */
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  return a
    .mul(ratio)
    .add(b.mul(1 - ratio))
    .clamp(0, 255)
    .floor();
}

/** `rgb_to_grayscale` (1 output channel): the ITU-R 601-2 luma cast to uint8; a 1-channel image as it is. */
function grayscale(img: Tensor): Tensor {
  if (img.shape[0] === 1) return img;
  const [r, g, b] = [img.select(0, 0), img.select(0, 1), img.select(0, 2)];
  return r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).floor().unsqueeze(0);
}

/** `adjust_brightness(img, factor)`: a blend with black. */
export const brightness = (img: Tensor, factor: number): Tensor => blend(img, img.mul(0), factor);

/** `adjust_saturation(img, factor)`: a blend with the grayscale image (1-channel images unchanged, as PIL). */
export const color = (img: Tensor, factor: number): Tensor =>
  img.shape[0] === 1 ? img : blend(img, grayscale(img), factor);

/** `adjust_contrast(img, factor)`: a blend with the mean of the grayscale image. */
export const contrast = (img: Tensor, factor: number): Tensor =>
  blend(img, grayscale(img).mean([-3, -2, -1], true), factor);

/**
 * `adjust_sharpness(img, factor)`: a blend with the image smoothed by torchvision's 3×3 kernel
 * [[1,1,1],[1,5,1],[1,1,1]]/13 inside its 1-pixel border (rounded to uint8); images of side ≤ 2 unchanged.
 */
export function sharpness(img: Tensor, factor: number): Tensor {
  const [c, h, w] = img.shape as [number, number, number];
  if (h <= 2 || w <= 2) return img;
  const kernel = tensor([1, 1, 1, 1, 5, 1, 1, 1, 1], { shape: [3, 3], dtype: 'float32', device: img.device });
  const weight = kernel.div(kernel.sum()).expand([c, 1, 3, 3]);
  const smooth = conv2d(img.unsqueeze(0), weight, { groups: c }).round().squeeze(0);
  const mask = new Uint8Array(h * w);
  for (let y = 1; y < h - 1; y++) mask.fill(1, y * w + 1, y * w + w - 1);
  const interior = tensor(mask, { shape: [1, h, w], dtype: 'bool', device: img.device });
  return blend(img, where(interior, pad(smooth, [1, 1, 1, 1]), img), factor);
}

/** `posterize(img, bits)`: keeps the `bits` high bits of each value (`img & -(2 ** (8 - bits))`). */
export function posterize(img: Tensor, bits: number): Tensor {
  const step = 2 ** (8 - bits);
  return img.div(step).floor().mul(step);
}

/** `invert(img)`: 255 − value. */
export const invert = (img: Tensor): Tensor => img.neg().add(255);

/** `solarize(img, threshold)`: inverts the values ≥ threshold. */
export const solarize = (img: Tensor, threshold: number): Tensor =>
  where(img.ge(threshold), invert(img), img);

/**
 * `autocontrast(img)`: each channel stretched to [0, 255]; a constant channel is left as it is.
 * The scale is `reciprocal(max − min) · 255`, as Python's `255.0 / tensor` computes it.
 */
export function autocontrast(img: Tensor): Tensor {
  const [c] = img.shape as [number];
  const flat = img.reshape([c, -1]);
  const lo = flat.min(1, true).values.unsqueeze(2);
  const hi = flat.max(1, true).values.unsqueeze(2);
  const scale = hi.sub(lo).reciprocal().mul(255);
  const flatChannel = scale.isfinite().logicalNot();
  return img
    .sub(where(flatChannel, 0, lo))
    .mul(where(flatChannel, 1, scale))
    .clamp(0, 255)
    .floor();
}

/**
 * `equalize(img)`: per channel, torchvision's histogram equalization (`_scale_channel`): a lookup
 * table from the cumulative histogram with step ⌊(count of all but the last non-empty bin) / 255⌋;
 * a channel whose step is 0 stays as it is. Integer arithmetic, done in JavaScript.
 */
export function equalize(img: Tensor): Tensor {
  const [c, h, w] = img.shape as [number, number, number];
  const values = img.contiguous().dataSync() as Float32Array;
  const out = new Float32Array(values.length);
  const n = h * w;
  for (let ch = 0; ch < c; ch++) {
    const plane = values.subarray(ch * n, (ch + 1) * n);
    const hist = new Float64Array(256);
    for (const v of plane) hist[v]! += 1;
    let last = 255;
    while (last > 0 && hist[last] === 0) last--;
    let total = 0;
    for (let i = 0; i < last; i++) total += hist[i]!;
    const step = Math.floor(total / 255);
    if (step === 0) {
      out.set(plane, ch * n);
      continue;
    }
    const lut = new Float64Array(256);
    let cum = 0;
    for (let i = 0; i < 255; i++) {
      cum += hist[i]!;
      lut[i + 1] = Math.min(255, Math.floor((cum + Math.floor(step / 2)) / step));
    }
    for (let i = 0; i < n; i++) out[ch * n + i] = lut[plane[i]!]!;
  }
  return tensor(out, { shape: [c, h, w], device: img.device });
}
