/**
 * The geometric AutoAugment ops (ShearX/Y, TranslateX/Y, Rotate) as torchvision's
 * `F.affine` / `F.rotate` run them on uint8 tensors: the inverse affine matrix in float64,
 * torchvision's affine grid in float32, nearest-neighbour `grid_sample` with zeros outside
 * (the `fill=None` of the reference recipes). Each op takes and returns one (C, H, W) float32
 * image holding 8-bit integer values.
 */
import { linspace, ones, stack, tensor } from '../../creation.js';
import { gridSample } from '../../nn/grid_sample.js';
import type { Device } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';

// CPython's math.degrees / math.radians constants, so that shear angles round as torchvision's do.
const RAD_TO_DEG = 180 / Math.PI;
const DEG_TO_RAD = Math.PI / 180;

/**
 * torchvision's `_get_inverse_affine_matrix(center, angle, translate, scale=1, shear)`: the map
 * from output to input pixel coordinates (origin at the image center), angles in degrees.
 */
export function inverseAffineMatrix(
  center: readonly [number, number],
  angle: number,
  translate: readonly [number, number],
  shear: readonly [number, number],
): number[] {
  const rot = angle * DEG_TO_RAD;
  const sx = shear[0] * DEG_TO_RAD;
  const sy = shear[1] * DEG_TO_RAD;
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0];
  m[2] = m[2]! + (m[0]! * (-cx - tx) + m[1]! * (-cy - ty));
  m[5] = m[5]! + (m[3]! * (-cx - tx) + m[4]! * (-cy - ty));
  m[2] = m[2]! + cx;
  m[5] = m[5]! + cy;
  return m;
}

/** torchvision's `_gen_affine_grid` for an output of the input's size: (1, H, W, 2) in [-1, 1]. */
function affineGrid(matrix: readonly number[], h: number, w: number, device: Device): Tensor {
  const on = { dtype: 'float32', device } as const;
  const theta = tensor([...matrix], { shape: [1, 2, 3], ...on });
  const xs = linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, w, on)
    .reshape([1, 1, w])
    .expand([1, h, w]);
  const ys = linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, h, on)
    .reshape([1, h, 1])
    .expand([1, h, w]);
  const base = stack([xs, ys, ones([1, h, w], on)], 3);
  const rescaled = theta.transpose(1, 2).div(tensor([0.5 * w, 0.5 * h], on));
  return base
    .reshape([1, h * w, 3])
    .bmm(rescaled)
    .reshape([1, h, w, 2]);
}

/** `F_t.affine` / `F_t.rotate` without expand: resampled at the nearest pixel, zeros outside. */
function warp(img: Tensor, matrix: readonly number[]): Tensor {
  const [, h, w] = img.shape as [number, number, number];
  const grid = affineGrid(matrix, h, w, img.device);
  return gridSample(img.unsqueeze(0), grid, { mode: 'nearest', paddingMode: 'zeros' }).round().squeeze(0);
}

/** `F.affine`'s tensor path: `center` in pixels (then made relative to the image center), or the center. */
function affine(
  img: Tensor,
  translate: readonly [number, number],
  shear: readonly [number, number],
  center?: readonly [number, number],
): Tensor {
  const [, h, w] = img.shape as [number, number, number];
  const c: [number, number] = center === undefined ? [0, 0] : [center[0] - w * 0.5, center[1] - h * 0.5];
  return warp(img, inverseAffineMatrix(c, 0, translate, shear));
}

/** ShearX: x' = x + m·y about the top-left corner (torchvision: shear angle atan(m), center [0, 0]). */
export const shearX = (img: Tensor, m: number): Tensor =>
  affine(img, [0, 0], [Math.atan(m) * RAD_TO_DEG, 0], [0, 0]);

/** ShearY: y' = y + m·x about the top-left corner. */
export const shearY = (img: Tensor, m: number): Tensor =>
  affine(img, [0, 0], [0, Math.atan(m) * RAD_TO_DEG], [0, 0]);

/** TranslateX by `int(m)` pixels (Python's int: toward zero). */
export const translateX = (img: Tensor, m: number): Tensor => affine(img, [Math.trunc(m), 0], [0, 0]);

/** TranslateY by `int(m)` pixels. */
export const translateY = (img: Tensor, m: number): Tensor => affine(img, [0, Math.trunc(m)], [0, 0]);

/** Rotate by `m` degrees counter-clockwise about the center (`F.rotate`, no expand). */
export const rotate = (img: Tensor, m: number): Tensor =>
  warp(img, inverseAffineMatrix([0, 0], -m, [0, 0], [0, 0]));
