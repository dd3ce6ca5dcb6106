/** Shape, indexing and linear-algebra methods on Tensor.prototype. */
import { native } from '../binding.js';
import type { DType } from '../dtype.js';
import { Tensor, handleOf, wrap } from '../tensor.js';
import { checkDims, checkFloatingTensor, checkInt, checkSameDType, checkShape, fail } from '../validate.js';

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** A tensor with the same data and a new shape; one dimension may be -1. */
    reshape(shape: readonly number[]): Tensor<D>;
    /** A view with a new shape sharing this tensor's storage (one dimension may be -1); the strides must allow it, as PyTorch's `view`. */
    view(shape: readonly number[]): Tensor<D>;
    /** Flattens dimensions `startDim`..`endDim` (default: all) into one. */
    flatten(startDim?: number, endDim?: number): Tensor<D>;
    /** A view with the dimensions reordered as `dims`. */
    permute(dims: readonly number[]): Tensor<D>;
    /** A view with dimensions `dim0` and `dim1` swapped. */
    transpose(dim0: number, dim1: number): Tensor<D>;
    /** Removes size-1 dimensions (all of them, or only `dim`). */
    squeeze(dim?: number): Tensor<D>;
    /** Inserts a size-1 dimension at `dim`. */
    unsqueeze(dim: number): Tensor<D>;
    /** A broadcast view of size-1 dimensions to `shape` (-1 keeps a dimension), without copying. */
    expand(shape: readonly number[]): Tensor<D>;
    /** A view of `length` entries of `dim` starting at `start`. */
    narrow(dim: number, start: number, length: number): Tensor<D>;
    /** The slice at `index` along `dim`, with that dimension removed (PyTorch's `x.select(dim, i)`). */
    select(dim: number, index: number): Tensor<D>;
    /** A view of `start:end:step` along `dim`, as Python slicing. */
    slice(dim: number, start: number, end: number, step?: number): Tensor<D>;
    /** The entries at the int64 `index` positions along `dim`, as PyTorch's `index_select`. */
    indexSelect(dim: number, index: Tensor): Tensor<D>;
    /** Values gathered along `dim` at the positions in `index`, as PyTorch's `torch.gather`. */
    gather(dim: number, index: Tensor): Tensor<D>;
    /** A copy with the order reversed along `dims`. */
    flip(dims: number | number[]): Tensor<D>;
    /** The tensor tiled `repeats[i]` times along each dimension, as PyTorch's `repeat`. */
    repeat(repeats: readonly number[]): Tensor<D>;
    /** Splits into `chunks` views along `dim` (default 0); the last may be smaller, as PyTorch's `chunk`. */
    chunk(chunks: number, dim?: number): Tensor<D>[];
    /** Splits along `dim` (default 0) into views of `sizes` entries each (a number), or of the listed sizes. */
    split(sizes: number | number[], dim?: number): Tensor<D>[];
    /** Matrix product with broadcasting batch dimensions, as PyTorch's `torch.matmul`. */
    matmul(other: Tensor): Tensor;
    /** Softmax along `dim`. */
    softmax(dim: number): Tensor<D>;
    /** Log of the softmax along `dim`, computed stably. */
    logSoftmax(dim: number): Tensor<D>;
  }
}

/** A shape where -1 is allowed once (reshape/view). */
function inferableShape(value: unknown): number[] {
  if (!Array.isArray(value)) fail('shape', 'an array of integers (-1 allowed once)', value);
  const ok = value.every((v) => Number.isSafeInteger(v) && (v as number) >= -1);
  if (!ok || value.filter((v) => v === -1).length > 1)
    fail('shape', 'an array of integers (-1 allowed once)', value);
  return value as number[];
}

Object.assign(Tensor.prototype, {
  reshape(this: Tensor, shape: readonly number[]) {
    return wrap(native.reshape(this._h, inferableShape(shape)));
  },
  view(this: Tensor, shape: readonly number[]) {
    return wrap(native.view(this._h, inferableShape(shape)));
  },
  flatten(this: Tensor, startDim = 0, endDim = -1) {
    return wrap(native.flatten(this._h, checkInt('startDim', startDim), checkInt('endDim', endDim)));
  },
  permute(this: Tensor, dims: readonly number[]) {
    return wrap(native.permute(this._h, checkDims('dims', dims)));
  },
  transpose(this: Tensor, dim0: number, dim1: number) {
    return wrap(native.transpose(this._h, checkInt('dim0', dim0), checkInt('dim1', dim1)));
  },
  squeeze(this: Tensor, dim?: number) {
    return wrap(native.squeeze(this._h, dim === undefined ? null : checkInt('dim', dim)));
  },
  unsqueeze(this: Tensor, dim: number) {
    return wrap(native.unsqueeze(this._h, checkInt('dim', dim)));
  },
  expand(this: Tensor, shape: readonly number[]) {
    return wrap(native.expand(this._h, inferableShape(shape)));
  },
  narrow(this: Tensor, dim: number, start: number, length: number) {
    return wrap(
      native.narrow(this._h, checkInt('dim', dim), checkInt('start', start), checkInt('length', length, 0)),
    );
  },
  select(this: Tensor, dim: number, index: number) {
    return wrap(native.select(this._h, checkInt('dim', dim), checkInt('index', index)));
  },
  slice(this: Tensor, dim: number, start: number, end: number, step = 1) {
    const d = checkInt('dim', dim);
    return wrap(
      native.slice(this._h, d, checkInt('start', start), checkInt('end', end), checkInt('step', step, 1)),
    );
  },
  indexSelect(this: Tensor, dim: number, index: Tensor) {
    return wrap(native.indexSelect(this._h, checkInt('dim', dim), handleOf(index, 'index')));
  },
  gather(this: Tensor, dim: number, index: Tensor) {
    return wrap(native.gather(this._h, checkInt('dim', dim), handleOf(index, 'index')));
  },
  flip(this: Tensor, dims: number | number[]) {
    return wrap(native.flip(this._h, checkDims('dims', dims)));
  },
  repeat(this: Tensor, repeats: readonly number[]) {
    return wrap(native.repeat(this._h, checkShape('repeats', repeats)));
  },
  chunk(this: Tensor, chunks: number, dim = 0) {
    return native.chunk(this._h, checkInt('chunks', chunks, 1), checkInt('dim', dim)).map((h) => wrap(h));
  },
  split(this: Tensor, sizes: number | number[], dim = 0) {
    const s = typeof sizes === 'number' ? checkInt('sizes', sizes, 1) : checkShape('sizes', sizes);
    return native.split(this._h, s, checkInt('dim', dim)).map((h) => wrap(h));
  },
  matmul(this: Tensor, other: Tensor) {
    const h = handleOf(other, 'other');
    checkSameDType('other', other, 'self', this);
    return wrap(native.matmul(this._h, h));
  },
  softmax(this: Tensor, dim: number) {
    checkFloatingTensor('input', this);
    return wrap(native.softmax(this._h, checkInt('dim', dim)));
  },
  logSoftmax(this: Tensor, dim: number) {
    checkFloatingTensor('input', this);
    return wrap(native.logSoftmax(this._h, checkInt('dim', dim)));
  },
});
