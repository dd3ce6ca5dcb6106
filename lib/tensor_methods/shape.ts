/** Shape, indexing and linear-algebra methods on Tensor.prototype. */
import { type Handle, native } from '../binding.js';
import type { DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { Tensor, handleOf, operand, wrap } from '../tensor.js';
import {
  checkDims,
  checkFloatingTensor,
  checkInt,
  checkSameDType,
  checkShape,
  checkTensorDType,
  fail,
} from '../validate.js';

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
    /**
     * A view of `start:end:step` along `dim`, as Python slicing: negative positions count from
     * the end, and an omitted or `null` `start` or `end` is the open end: `slice(1, 2)` is
     * `x[:, 2:]`, `slice(0, null, -1)` is `x[:-1]`.
     */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor<D>;
    /** The entries at the int64 `index` positions along `dim`, as PyTorch's `index_select`. */
    indexSelect(dim: number, index: Tensor): Tensor<D>;
    /** Values gathered along `dim` at the positions in `index`, as PyTorch's `torch.gather`. */
    gather(dim: number, index: Tensor): Tensor<D>;
    /** This 2-D (or lower) tensor transposed, as PyTorch's `t()`. */
    t(): Tensor<D>;
    /** The entries where the bool `mask` (broadcast to this shape) is true, as a 1-D tensor (PyTorch's `masked_select`). */
    maskedSelect(mask: Tensor): Tensor<D>;
    /**
     * PyTorch's `x[indices]`: with a bool mask over the leading dimensions, the entries (or
     * rows) where it is true; with int64 positions, those entries of dimension 0.
     */
    index(indices: Tensor): Tensor<D>;
    /** The positions of the non-zero elements, one row of `ndim` int64 coordinates each, as PyTorch's `nonzero`. */
    nonzero(): Tensor<'int64'>;
    /** A copy with `src`'s values (or the number `src`) written at the int64 `index` positions along `dim`, as PyTorch's `scatter`. */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor<D>;
    /** In place: `scatter` into this tensor. */
    scatter_(dim: number, index: Tensor, src: Tensor | number): this;
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
    /** The product of two matrices (2-D, no broadcasting), as PyTorch's `torch.mm`. */
    mm(other: Tensor): Tensor;
    /** Batched matrix product of (b, n, m) and (b, m, p) tensors, as PyTorch's `torch.bmm`. */
    bmm(other: Tensor): Tensor;
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

/** scatter's arguments: the dim, an int64 index tensor, and a tensor or a number. */
function scatterArgs(dim: unknown, index: Tensor, src: Tensor | number): [number, Handle, Handle | number] {
  const d = checkInt('dim', dim);
  const i = handleOf(index, 'index');
  checkTensorDType('index', index, 'int64');
  return [d, i, operand(src, 'src')];
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
  slice(this: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1) {
    const d = checkInt('dim', dim);
    const from = start === null ? null : checkInt('start', start);
    const to = end === null ? null : checkInt('end', end);
    return wrap(native.slice(this._h, d, from, to, checkInt('step', step, 1)));
  },
  t(this: Tensor) {
    return wrap(native.t(this._h));
  },
  maskedSelect(this: Tensor, mask: Tensor) {
    const h = handleOf(mask, 'mask');
    checkTensorDType('mask', mask, 'bool');
    return wrap(native.maskedSelect(this._h, h));
  },
  index(this: Tensor, indices: Tensor) {
    const h = handleOf(indices, 'indices');
    if (indices.dtype !== 'bool' && indices.dtype !== 'int64')
      throw new DTypeError(
        `Expected a bool mask or an int64 tensor for indices but received a tensor of dtype ${indices.dtype}`,
      );
    return wrap(native.index(this._h, h));
  },
  nonzero(this: Tensor) {
    return wrap(native.nonzero(this._h));
  },
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number) {
    const [d, i, s] = scatterArgs(dim, index, src);
    return wrap(native.scatter(this._h, d, i, s));
  },
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | number) {
    const [d, i, s] = scatterArgs(dim, index, src);
    native.scatter_(this._h, d, i, s);
    return this;
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
  mm(this: Tensor, other: Tensor) {
    const h = handleOf(other, 'other');
    checkSameDType('other', other, 'self', this);
    return wrap(native.mm(this._h, h));
  },
  bmm(this: Tensor, other: Tensor) {
    const h = handleOf(other, 'other');
    checkSameDType('other', other, 'self', this);
    return wrap(native.bmm(this._h, h));
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
