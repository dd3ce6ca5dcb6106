/** Reductions and sorting on Tensor.prototype. `dim` omitted means all elements. */
import { native } from '../binding.js';
import type { DType } from '../dtype.js';
import { Tensor, wrap } from '../tensor.js';
import { checkBool, checkDims, checkInt, checkNumber, checkOptions } from '../validate.js';

export interface ValuesIndices<D extends DType = DType> {
  values: Tensor<D>;
  indices: Tensor<'int64'>;
}

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> {
    sum(dim?: number | number[], keepdim?: boolean): Tensor;
    mean(dim?: number | number[], keepdim?: boolean): Tensor<D>;
    prod(dim?: number, keepdim?: boolean): Tensor;
    max(): Tensor<D>;
    max(dim: number, keepdim?: boolean): ValuesIndices<D>;
    min(): Tensor<D>;
    min(dim: number, keepdim?: boolean): ValuesIndices<D>;
    argmax(dim?: number, keepdim?: boolean): Tensor<'int64'>;
    argmin(dim?: number, keepdim?: boolean): Tensor<'int64'>;
    topk(k: number, options?: { dim?: number; largest?: boolean; sorted?: boolean }): ValuesIndices<D>;
    sort(options?: { dim?: number; descending?: boolean }): ValuesIndices<D>;
    std(dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }): Tensor<D>;
    var(dim?: number | number[], options?: { unbiased?: boolean; keepdim?: boolean }): Tensor<D>;
    norm(p?: number, dim?: number | number[], keepdim?: boolean): Tensor<D>;
    all(): Tensor<'bool'>;
    any(): Tensor<'bool'>;
    logsumexp(dim: number | number[], keepdim?: boolean): Tensor<D>;
    cumsum(dim: number): Tensor;
  }
}

const dims = (dim: unknown): number[] | null => (dim === undefined ? null : checkDims('dim', dim));
const keep = (keepdim: unknown): boolean => (keepdim === undefined ? false : checkBool('keepdim', keepdim));
const pair = <D extends DType>([v, i]: [unknown, unknown]): ValuesIndices<D> => ({
  values: wrap(v as never),
  indices: wrap(i as never),
});

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
    const o = checkOptions('options', options);
    const dim = o['dim'] === undefined ? -1 : checkInt('dim', o['dim']);
    const descending = o['descending'] === undefined ? false : checkBool('descending', o['descending']);
    return pair(native.sort(this._h, dim, descending));
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
