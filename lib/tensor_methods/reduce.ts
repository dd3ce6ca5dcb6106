/** Reductions and sorting on Tensor.prototype. `dim` omitted means all elements. */
import { native } from '../binding.js';
import type { DType } from '../dtype.js';
import { Tensor, wrap } from '../tensor.js';
import { checkBool, checkDims, checkInt, checkNumber, checkOptions } from '../validate.js';

/** The `(values, indices)` pair returned by `max(dim)`, `min(dim)`, `topk` and `sort`. */
export interface ValuesIndices<D extends DType = DType> {
  /** The selected values. */
  values: Tensor<D>;
  /** Their indices along the reduced or sorted dimension. */
  indices: Tensor<'int64'>;
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    /** Sum over all elements, or over `dim` (one or several), keeping reduced dimensions as size 1 with `keepdim`; as PyTorch's `torch.sum`. */
    sum(dim?: number | number[], keepdim?: boolean): Tensor;
    /** Mean over all elements, or over `dim` (one or several), with optional `keepdim`; as PyTorch's `torch.mean`. */
    mean(dim?: number | number[], keepdim?: boolean): Tensor<D>;
    /** Product over all elements, or over one `dim`, with optional `keepdim`; as PyTorch's `torch.prod`. */
    prod(dim?: number, keepdim?: boolean): Tensor;
    /** The largest element, as a 0-d tensor. */
    max(): Tensor<D>;
    /** The largest values along `dim` and their indices, as PyTorch's `torch.max(x, dim)`. */
    max(dim: number, keepdim?: boolean): ValuesIndices<D>;
    /** The smallest element, as a 0-d tensor. */
    min(): Tensor<D>;
    /** The smallest values along `dim` and their indices, as PyTorch's `torch.min(x, dim)`. */
    min(dim: number, keepdim?: boolean): ValuesIndices<D>;
    /** Indices of the largest values along `dim`, or into the flattened tensor when `dim` is omitted. */
    argmax(dim?: number, keepdim?: boolean): Tensor<'int64'>;
    /** Indices of the smallest values along `dim`, or into the flattened tensor when `dim` is omitted. */
    argmin(dim?: number, keepdim?: boolean): Tensor<'int64'>;
    /** The `k` largest (or, with `largest: false`, smallest) values along `dim` (default -1) and their indices, sorted unless `sorted: false`. */
    topk(k: number, options?: { dim?: number; largest?: boolean; sorted?: boolean }): ValuesIndices<D>;
    /** Values sorted along `dim` (default -1), ascending unless `descending`, with the indices that sort them. */
    sort(options?: { dim?: number; descending?: boolean }): ValuesIndices<D>;
    /** The indices that sort along `dim` (default -1), ascending unless `descending`: `sort()`'s indices, as PyTorch's `argsort`. */
    argsort(options?: { dim?: number; descending?: boolean }): Tensor<'int64'>;
    /** Standard deviation over all elements or `dim`; Bessel-corrected unless `unbiased: false`, as PyTorch's `torch.std`. */
    std(dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }): Tensor<D>;
    /** Variance over all elements or `dim`; Bessel-corrected unless `unbiased: false`, as PyTorch's `torch.var`. */
    var(dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }): Tensor<D>;
    /** The p-norm (default 2) over all elements or `dim`, as PyTorch's `torch.norm`. */
    norm(p?: number, dim?: number | number[], keepdim?: boolean): Tensor<D>;
    /** True (as a 0-d bool tensor) when every element is non-zero. */
    all(): Tensor<'bool'>;
    /** True (as a 0-d bool tensor) when some element is non-zero. */
    any(): Tensor<'bool'>;
    /** log(sum(exp(x))) over `dim`, computed stably, as PyTorch's `torch.logsumexp`. */
    logsumexp(dim: number | number[], keepdim?: boolean): Tensor<D>;
    /** Cumulative sum along `dim`. */
    cumsum(dim: number): Tensor;
  }
}

const dims = (dim: unknown): number[] | null => (dim === undefined ? null : checkDims('dim', dim));
const keep = (keepdim: unknown): boolean => (keepdim === undefined ? false : checkBool('keepdim', keepdim));
const pair = <D extends DType>([v, i]: [unknown, unknown]): ValuesIndices<D> => ({
  values: wrap(v as never),
  indices: wrap(i as never),
});

function sortArgs(options: unknown): [number, boolean] {
  const o = checkOptions('options', options);
  const dim = o['dim'] === undefined ? -1 : checkInt('dim', o['dim']);
  const descending = o['descending'] === undefined ? false : checkBool('descending', o['descending']);
  return [dim, descending];
}

Object.assign(Tensor.prototype, {
  sum(this: Tensor, dim?: number | number[], keepdim?: boolean) {
    return wrap(native.sum(this._h, dims(dim), keep(keepdim)));
  },
  mean(this: Tensor, dim?: number | number[], keepdim?: boolean) {
    return wrap(native.mean(this._h, dims(dim), keep(keepdim)));
  },
  prod(this: Tensor, dim?: number, keepdim?: boolean) {
    return wrap(native.prod(this._h, dim === undefined ? null : checkInt('dim', dim), keep(keepdim)));
  },
  max(this: Tensor, dim?: number, keepdim?: boolean) {
    if (dim === undefined) return wrap(native.max(this._h));
    return pair(native.maxDim(this._h, checkInt('dim', dim), keep(keepdim)));
  },
  min(this: Tensor, dim?: number, keepdim?: boolean) {
    if (dim === undefined) return wrap(native.min(this._h));
    return pair(native.minDim(this._h, checkInt('dim', dim), keep(keepdim)));
  },
  argmax(this: Tensor, dim?: number, keepdim?: boolean) {
    return wrap(native.argmax(this._h, dim === undefined ? null : checkInt('dim', dim), keep(keepdim)));
  },
  argmin(this: Tensor, dim?: number, keepdim?: boolean) {
    return wrap(native.argmin(this._h, dim === undefined ? null : checkInt('dim', dim), keep(keepdim)));
  },
  topk(this: Tensor, k: number, options?: { dim?: number; largest?: boolean; sorted?: boolean }) {
    const o = checkOptions('options', options);
    const dim = o['dim'] === undefined ? -1 : checkInt('dim', o['dim']);
    const largest = o['largest'] === undefined ? true : checkBool('largest', o['largest']);
    const sorted = o['sorted'] === undefined ? true : checkBool('sorted', o['sorted']);
    return pair(native.topk(this._h, checkInt('k', k, 0), dim, largest, sorted));
  },
  sort(this: Tensor, options?: { dim?: number; descending?: boolean }) {
    return pair(native.sort(this._h, ...sortArgs(options)));
  },
  argsort(this: Tensor, options?: { dim?: number; descending?: boolean }) {
    return wrap(native.argsort(this._h, ...sortArgs(options)));
  },
  std(this: Tensor, dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }) {
    const o = checkOptions('options', options);
    const unbiased = o['unbiased'] === undefined ? true : checkBool('unbiased', o['unbiased']);
    return wrap(native.std(this._h, dims(dim), unbiased, keep(o['keepdim'])));
  },
  var(this: Tensor, dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }) {
    const o = checkOptions('options', options);
    const unbiased = o['unbiased'] === undefined ? true : checkBool('unbiased', o['unbiased']);
    return wrap(native.var(this._h, dims(dim), unbiased, keep(o['keepdim'])));
  },
  norm(this: Tensor, p = 2, dim?: number | number[], keepdim?: boolean) {
    return wrap(native.norm(this._h, checkNumber('p', p), dims(dim), keep(keepdim)));
  },
  all(this: Tensor) {
    return wrap(native.all(this._h));
  },
  any(this: Tensor) {
    return wrap(native.any(this._h));
  },
  logsumexp(this: Tensor, dim: number | number[], keepdim?: boolean) {
    return wrap(native.logsumexp(this._h, checkDims('dim', dim), keep(keepdim)));
  },
  cumsum(this: Tensor, dim: number) {
    return wrap(native.cumsum(this._h, checkInt('dim', dim)));
  },
});
