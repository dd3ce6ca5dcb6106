/**
 * The geometric AutoAugment ops (ShearX/Y, TranslateX/Y, Rotate) as torchvision's
 * `F.affine` / `F.rotate` run them on uint8 tensors: the inverse affine matrix in float64,
 * torchvision's affine grid in float32, `grid_sample` (nearest by default, or bilinear) with
 * zeros outside (the `fill=None` of the reference recipes), rounded back to 8-bit values. Each op takes and returns one (C, H, W) float32
 * image holding 8-bit integer values.
 */
import { linspace, ones, stack, tensor } from '../../creation.js';
import { gridSample } from '../../nn/grid_sample.js';
import type { Device } from '../../dtype.js';
import { tidy } from '../../runtime.js';
import type { Tensor } from '../../tensor.js';

// CPython's math.degrees / math.radians constants, so that shear angles round as torchvision's do.
const RAD_TO_DEG = 180 / Math.PI;
const DEG_TO_RAD = Math.PI / 180;

/**
 * cos, sin, tan and atan as C's libm computes them (Python's `math` calls libm; V8's own
 * functions differ from it in the last bit for some arguments, e.g. cos(0.78037...), which a
 * bilinear resampling can turn into a pixel one level off): a one-element float64 tensor goes
 * through libtorch's scalar path, std::cos and friends.
 */
const libm = (fn: 'cos' | 'sin' | 'tan' | 'atan', x: number): number =>
  tidy(() => tensor([x], { dtype: 'float64' })[fn]().item());
const atan = (x: number): number => libm('atan', x);

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
  const [cos, sin, tan] = [
    (x: number) => libm('cos', x),
    (x: number) => libm('sin', x),
    (x: number) => libm('tan', x),
  ];
  const a = cos(rot - sy) / cos(sy);
  const b = (-cos(rot - sy) * tan(sx)) / cos(sy) - sin(rot);
  const c = sin(rot - sy) / cos(sy);
  const d = (-sin(rot - sy) * tan(sx)) / cos(sy) + cos(rot);
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

/** How the geometric ops resample: torchvision's `InterpolationMode.NEAREST` (its default) or `BILINEAR`. */
export type AugmentInterpolation = 'nearest' | 'bilinear';

/** `F_t.affine` / `F_t.rotate` without expand: resampled by `mode`, zeros outside, rounded back to 8 bits. */
function warp(img: Tensor, matrix: readonly number[], mode: AugmentInterpolation): Tensor {
  const [, h, w] = img.shape as [number, number, number];
  const grid = affineGrid(matrix, h, w, img.device);
  return gridSample(img.unsqueeze(0), grid, { mode, paddingMode: 'zeros' }).round().squeeze(0);
}

/** The geometric AutoAugment ops. */
export type GeometricOpName = 'ShearX' | 'ShearY' | 'TranslateX' | 'TranslateY' | 'Rotate';

/** `F.affine`'s tensor path: `center` in pixels, made relative to the image center (default: the center). */
function affineMatrix(
  h: number,
  w: number,
  translate: readonly [number, number],
  shear: readonly [number, number],
  center?: readonly [number, number],
): number[] {
  const c: [number, number] = center === undefined ? [0, 0] : [center[0] - w * 0.5, center[1] - h * 0.5];
  return inverseAffineMatrix(c, 0, translate, shear);
}

/**
 * The inverse affine matrix of a geometric op at magnitude `m` on an `h`×`w` image, as
 * `_apply_op` makes `F.affine` / `F.rotate` compute it: shears of angle atan(m) about the
 * top-left corner, translations by `int(m)` pixels (Python's int: toward zero), rotations by
 * `m` degrees counter-clockwise about the center.
 */
export function geometricOpMatrix(op: GeometricOpName, m: number, h: number, w: number): number[] {
  if (op === 'ShearX') return affineMatrix(h, w, [0, 0], [atan(m) * RAD_TO_DEG, 0], [0, 0]);
  if (op === 'ShearY') return affineMatrix(h, w, [0, 0], [0, atan(m) * RAD_TO_DEG], [0, 0]);
  if (op === 'TranslateX') return affineMatrix(h, w, [Math.trunc(m), 0], [0, 0]);
  if (op === 'TranslateY') return affineMatrix(h, w, [0, Math.trunc(m)], [0, 0]);
  return inverseAffineMatrix([0, 0], -m, [0, 0], [0, 0]);
}

/** Applies geometric op `op` at magnitude `m` to one (C, H, W) image, resampled by `mode`. */
export function geometricOp(op: GeometricOpName, img: Tensor, m: number, mode: AugmentInterpolation): Tensor {
  const [, h, w] = img.shape as [number, number, number];
  return warp(img, geometricOpMatrix(op, m, h, w), mode);
}
