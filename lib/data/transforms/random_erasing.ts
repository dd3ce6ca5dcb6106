/**
 * torchvision's RandomErasing (Zhong et al. 2017) over a whole batch: each image, with
 * probability p, gets one rectangle of random area and aspect ratio set to `value`. Put it after
 * `normalize`, as torchvision's reference recipes do, so that 0 is the mean colour.
 */
import { tensor, where } from '../../creation.js';
import { checkFinite, checkOptions, fail } from '../../validate.js';
import type { Rng } from '../rng.js';
import type { Transform } from './transform.js';

/** Options of {@link randomErasing} (torchvision's `RandomErasing` keywords). */
export interface RandomErasingOptions {
  /** The rectangle's share of the image area, drawn uniformly from [min, max] (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** The rectangle's aspect ratio h/w, drawn log-uniformly from [min, max] (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** The value written into the rectangle, in every channel (default 0). */
  value?: number;
}

function range(name: string, v: unknown, min: number, max: number): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) fail(name, 'a [min, max] pair', v);
  const [a, b] = [checkFinite(`${name}[0]`, v[0]), checkFinite(`${name}[1]`, v[1])];
  if (!(a >= min && a <= b && b <= max)) fail(name, `${min} <= min <= max <= ${max}`, v);
  return [a, b];
}

/**
 * One rectangle [top, left, h, w] as torchvision draws it: up to 10 tries of area and aspect
 * ratio, and no erasing when none fits.
 */
function drawBox(
  H: number,
  W: number,
  scale: readonly [number, number],
  logRatio: readonly [number, number],
  rng: Rng,
): [number, number, number, number] | null {
  for (let t = 0; t < 10; t++) {
    const area = H * W * (scale[0] + (scale[1] - scale[0]) * rng.next());
    const ratio = Math.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * rng.next());
    const h = Math.round(Math.sqrt(area * ratio));
    const w = Math.round(Math.sqrt(area / ratio));
    if (h < H && w < W && h > 0 && w > 0) return [rng.int(H - h + 1), rng.int(W - w + 1), h, w];
  }
  return null;
}

/** Erases one random rectangle per image with probability `p` (default 0.5), as torchvision's `RandomErasing`. */
export function randomErasing(p = 0.5, options: RandomErasingOptions = {}): Transform {
  const prob = checkFinite('p', p);
  if (prob < 0 || prob > 1) fail('p', 'a probability in [0, 1]', p);
  const o = checkOptions('options', options);
  const scale = o['scale'] === undefined ? ([0.02, 0.33] as const) : range('scale', o['scale'], 0, 1);
  const ratio = o['ratio'] === undefined ? ([0.3, 3.3] as const) : range('ratio', o['ratio'], 1e-6, Infinity);
  const value = o['value'] === undefined ? 0 : checkFinite('value', o['value']);
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  return {
    description: `RandomErasing(p=${prob}, scale=[${scale.join(', ')}], ratio=[${ratio.join(', ')}], value=${value})`,
    apply: (x, rng) => {
      const [n, , H, W] = x.shape as [number, number, number, number];
      // One (N, 1, H, W) mask built in JS and a single where() over the batch, instead of a
      // narrow-and-fill per image.
      const mask = new Uint8Array(n * H * W);
      for (let i = 0; i < n; i++) {
        if (rng.next() >= prob) continue;
        const box = drawBox(H, W, scale, logRatio, rng);
        if (box === null) continue;
        const [top, left, h, w] = box;
        for (let r = top; r < top + h; r++) mask.fill(1, (i * H + r) * W + left, (i * H + r) * W + left + w);
      }
      const erase = tensor(mask, { shape: [n, 1, H, W], dtype: 'bool', device: x.device });
      return where(erase, tensor([value], { dtype: x.dtype }).reshape([]), x);
    },
  };
}
