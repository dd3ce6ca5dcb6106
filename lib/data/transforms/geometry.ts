/**
 * torchvision's resize and center-crop arithmetic, the one rule that batch transforms,
 * ImageFolder and `predict` all follow, so an image gives the same pixels on every path.
 */

/** `Resize(size)`'s output (h, w): the shorter side becomes `size`, the longer `floor(size · long / short)`. */
export function resizedSize(h: number, w: number, size: number): [number, number] {
  return h <= w ? [size, Math.floor((size * w) / h)] : [Math.floor((size * h) / w), size];
}

/** `CenterCrop`'s offset along a side of `length`: `int(round((length - crop) / 2))`, Python's round (halves to even). */
export function centerOffset(length: number, crop: number): number {
  const x = (length - crop) / 2;
  const r = Math.round(x);
  return x % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
