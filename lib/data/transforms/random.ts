/** Random augmentations, drawn per sample from the loader's seeded generator. */
import { ArgumentError } from '../../errors.js';
import { stack, tensor, where } from '../../creation.js';
import { interpolateBilinear, pad } from '../../nn/functional.js';
import { checkInt } from '../../validate.js';
import type { Transform } from './transform.js';

/** Flips each image left–right with probability p (one where() over the batch). */
export function randomHorizontalFlip(p = 0.5): Transform {
  return {
    description: `RandomHorizontalFlip(p=${p})`,
    apply: (x, rng) => {
      const n = x.shape[0]!;
      const mask = tensor(
        Array.from({ length: n }, () => rng.next() < p),
        { shape: [n, 1, 1, 1], device: x.device },
      );
      return where(mask, x.flip(3), x);
    },
  };
}

/** Pads by `padding` (zeros, or 'reflect'), then crops `size`×`size` at a random place per image. */
export function randomCrop(
  size: number,
  options: { padding?: number; paddingMode?: 'constant' | 'reflect' } = {},
): Transform {
  const s = checkInt('size', size, 1);
  const p = checkInt('padding', options.padding ?? 0, 0);
  return {
    description: `RandomCrop(${s}, padding=${p})`,
    apply: (x, rng) => {
      const padded = p > 0 ? pad(x, [p, p, p, p], { mode: options.paddingMode ?? 'constant' }) : x;
      const [n, , H, W] = padded.shape as [number, number, number, number];
      if (s > H || s > W) throw new ArgumentError(`Cannot crop ${H}×${W} images to ${s}×${s}`);
      const crops = Array.from({ length: n }, (_, i) =>
        padded
          .select(0, i)
          .narrow(1, rng.int(H - s + 1), s)
          .narrow(2, rng.int(W - s + 1), s),
      );
      return stack(crops);
    },
  };
}

/**
 * torchvision's RandomResizedCrop: a crop of random area (scale) and aspect ratio (ratio),
 * resized to size×size; falls back to a center crop after 10 tries, as torchvision does.
 */
export function randomResizedCrop(
  size: number,
  options: { scale?: [number, number]; ratio?: [number, number] } = {},
): Transform {
  const s = checkInt('size', size, 1);
  const [smin, smax] = options.scale ?? [0.08, 1];
  const [rmin, rmax] = options.ratio ?? [3 / 4, 4 / 3];
  const box = (H: number, W: number, rng: { next(): number; int(n: number): number }): number[] => {
    for (let t = 0; t < 10; t++) {
      const area = H * W * (smin + (smax - smin) * rng.next());
      const ratio = Math.exp(Math.log(rmin) + (Math.log(rmax) - Math.log(rmin)) * rng.next());
      const w = Math.round(Math.sqrt(area * ratio));
      const h = Math.round(Math.sqrt(area / ratio));
      if (w > 0 && h > 0 && w <= W && h <= H) return [rng.int(H - h + 1), rng.int(W - w + 1), h, w];
    }
    const r = W / H;
    const [h, w] = r < rmin ? [Math.round(W / rmin), W] : r > rmax ? [H, Math.round(H * rmax)] : [H, W];
    return [Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w];
  };
  return {
    description: `RandomResizedCrop(${s}, scale=[${smin}, ${smax}], ratio=[${rmin.toFixed(3)}, ${rmax.toFixed(3)}])`,
    apply: (x, rng) => {
      const [n, , H, W] = x.shape as [number, number, number, number];
      const out = Array.from({ length: n }, (_, i) => {
        const [top, left, h, w] = box(H, W, rng) as [number, number, number, number];
        const crop = x.narrow(0, i, 1).narrow(2, top, h).narrow(3, left, w);
        return interpolateBilinear(crop, [s, s], { antialias: true }).squeeze(0);
      });
      return stack(out);
    },
  };
}
