/**
 * @internal Multi-tensor (foreach) updates over lists of tensors, as torch.optim's foreach
 * implementations: one native call per operation for a whole parameter group, which libtorch
 * fuses into a few kernels on CUDA. On the CPU libtorch runs the per-tensor ops, so results are
 * bit-identical to the single-tensor path. The lists hold tensors of one device and dtype.
 * Numbers may be per-call numbers of a captured step (lib/dynamic_number.ts).
 */
import { native, type Handle } from '../binding.js';
import { wrap, type Tensor } from '../tensor.js';

const hs = (ts: readonly Tensor[]): Handle[] => ts.map((t) => t._h);
const wrapAll = (h: Handle[]): Tensor[] => h.map((x) => wrap(x));

/** self[k] += alpha * other[k] */
export const add_ = (self: Tensor[], other: Tensor[], alpha = 1): void =>
  void native.foreachAdd_(hs(self), hs(other), alpha);
/** self[k] + alpha * other[k], new tensors */
export const add = (self: Tensor[], other: Tensor[], alpha = 1): Tensor[] =>
  wrapAll(native.foreachAdd(hs(self), hs(other), alpha));
/** self[k] += value */
export const addScalar_ = (self: Tensor[], value: number): void =>
  void native.foreachAddScalar_(hs(self), value);
/** self[k] *= value */
export const mul_ = (self: Tensor[], value: number): void => void native.foreachMul_(hs(self), value);
/** self[k] *= other[k] (other[k] may be a one-element tensor) */
export const mulList_ = (self: Tensor[], other: Tensor[]): void =>
  void native.foreachMulList_(hs(self), hs(other));
/** self[k] * other[k], new tensors */
export const mulList = (self: Tensor[], other: Tensor[]): Tensor[] =>
  wrapAll(native.foreachMulList(hs(self), hs(other)));
/** self[k] /= scalars[k] */
export const divScalars_ = (self: Tensor[], scalars: number[]): void =>
  void native.foreachDivScalars_(hs(self), scalars);
/** self[k] += value * a[k] * b[k] */
export const addcmul_ = (self: Tensor[], a: Tensor[], b: Tensor[], value: number): void =>
  void native.foreachAddcmul_(hs(self), hs(a), hs(b), value);
/** self[k] + value * a[k] * b[k], new tensors */
export const addcmul = (self: Tensor[], a: Tensor[], b: Tensor[], value: number): Tensor[] =>
  wrapAll(native.foreachAddcmul(hs(self), hs(a), hs(b), value));
/** self[k] += value * a[k] / b[k] */
export const addcdiv_ = (self: Tensor[], a: Tensor[], b: Tensor[], value = 1): void =>
  void native.foreachAddcdiv_(hs(self), hs(a), hs(b), value);
/** self[k] += scalars[k] * a[k] / b[k] */
export const addcdivScalars_ = (self: Tensor[], a: Tensor[], b: Tensor[], scalars: number[]): void =>
  void native.foreachAddcdivScalars_(hs(self), hs(a), hs(b), scalars);
/** self[k] = max(self[k], other[k]) */
export const maximum_ = (self: Tensor[], other: Tensor[]): void =>
  void native.foreachMaximum_(hs(self), hs(other));
/** sqrt(self[k]), new tensors */
export const sqrt = (self: Tensor[]): Tensor[] => wrapAll(native.foreachSqrt(hs(self)));
/** self[k] = sqrt(self[k]) */
export const sqrt_ = (self: Tensor[]): void => void native.foreachSqrt_(hs(self));
/** -self[k], new tensors */
export const neg = (self: Tensor[]): Tensor[] => wrapAll(native.foreachNeg(hs(self)));
/** The `ord`-norm of each tensor, as one-element tensors */
export const norm = (self: Tensor[], ord = 2): Tensor[] => wrapAll(native.foreachNorm(hs(self), ord));

/** Disposes every tensor of the lists given. */
export function disposeAll(...lists: Tensor[][]): void {
  for (const l of lists) for (const t of l) t.dispose();
}
