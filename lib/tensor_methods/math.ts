/**
 * Elementwise Tensor methods (added to Tensor.prototype so that tensor.ts stays small).
 * Binary ops broadcast as in PyTorch and take a tensor or a number.
 */
import { native, unaryOps, type UnaryName } from '../binding.js';
import type { DType } from '../dtype.js';
import { Tensor, handleOf, operand, wrap, type TensorOrNumber } from '../tensor.js';
import { checkNumber } from '../validate.js';

type Unary = { [K in UnaryName]: () => Tensor };

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> extends Unary {
    add(other: Tensor | number, alpha?: number): Tensor;
    sub(other: Tensor | number, alpha?: number): Tensor;
    mul(other: Tensor | number): Tensor;
    div(other: Tensor | number): Tensor;
    pow(exponent: Tensor | number): Tensor;
    remainder(other: Tensor | number): Tensor;
    eq(other: Tensor | number): Tensor<'bool'>;
    ne(other: Tensor | number): Tensor<'bool'>;
    lt(other: Tensor | number): Tensor<'bool'>;
    le(other: Tensor | number): Tensor<'bool'>;
    gt(other: Tensor | number): Tensor<'bool'>;
    ge(other: Tensor | number): Tensor<'bool'>;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    clamp(min: number | null, max?: number | null): Tensor<D>;
    maskedFill(mask: Tensor, value: number): Tensor<D>;
    /** In place: this += alpha * other. */
    add_(other: Tensor | number, alpha?: number): this;
    sub_(other: Tensor | number, alpha?: number): this;
    mul_(other: Tensor | number): this;
    div_(other: Tensor | number): this;
    copy_(source: Tensor): this;
    fill_(value: number): this;
    zero_(): this;
    relu_(): this;
    sqrt_(): this;
    clamp_(min: number | null, max?: number | null): this;
    uniform_(from?: number, to?: number): this;
    normal_(mean?: number, std?: number): this;
    /** In place: this += value * t1 * t2. */
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    /** In place: this += value * t1 / t2. */
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    lerp_(end: Tensor, weight: Tensor | number): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;

for (const name of unaryOps) {
  const fn = native[name];
  proto[name] = function (this: Tensor) {
    return wrap(fn(this._h));
  };
}

function binary(name: 'mul' | 'div' | 'pow' | 'remainder' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'): void {
  const fn = native[name];
  proto[name] = function (this: Tensor, other: TensorOrNumber) {
    return wrap(fn(this._h, operand(other, 'other')));
  };
}
for (const name of ['mul', 'div', 'pow', 'remainder', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)
  binary(name);

function alpha(value: number | undefined): number | null {
  return value === undefined ? null : checkNumber('alpha', value);
}

Object.assign(proto, {
  add(this: Tensor, other: TensorOrNumber, a?: number) {
    return wrap(native.add(this._h, operand(other, 'other'), alpha(a)));
  },
  sub(this: Tensor, other: TensorOrNumber, a?: number) {
    return wrap(native.sub(this._h, operand(other, 'other'), alpha(a)));
  },
  maximum(this: Tensor, other: Tensor) {
    return wrap(native.maximum(this._h, handleOf(other, 'other')));
  },
  minimum(this: Tensor, other: Tensor) {
    return wrap(native.minimum(this._h, handleOf(other, 'other')));
  },
  clamp(this: Tensor, min: number | null, max: number | null = null) {
    return wrap(native.clamp(this._h, bound('min', min), bound('max', max)));
  },
  maskedFill(this: Tensor, mask: Tensor, value: number) {
    return wrap(native.maskedFill(this._h, handleOf(mask, 'mask'), checkNumber('value', value)));
  },
  add_(this: Tensor, other: TensorOrNumber, a?: number) {
    native.add_(this._h, operand(other, 'other'), alpha(a));
    return this;
  },
  sub_(this: Tensor, other: TensorOrNumber, a?: number) {
    native.sub_(this._h, operand(other, 'other'), alpha(a));
    return this;
  },
  mul_(this: Tensor, other: TensorOrNumber) {
    native.mul_(this._h, operand(other, 'other'));
    return this;
  },
  div_(this: Tensor, other: TensorOrNumber) {
    native.div_(this._h, operand(other, 'other'));
    return this;
  },
  copy_(this: Tensor, source: Tensor) {
    native.copy_(this._h, handleOf(source, 'source'));
    return this;
  },
  fill_(this: Tensor, value: number) {
    native.fill_(this._h, checkNumber('value', value));
    return this;
  },
  zero_(this: Tensor) {
    native.zero_(this._h);
    return this;
  },
  relu_(this: Tensor) {
    native.relu_(this._h);
    return this;
  },
  sqrt_(this: Tensor) {
    native.sqrt_(this._h);
    return this;
  },
  clamp_(this: Tensor, min: number | null, max: number | null = null) {
    native.clamp_(this._h, bound('min', min), bound('max', max));
    return this;
  },
  uniform_(this: Tensor, from = 0, to = 1) {
    native.uniform_(this._h, checkNumber('from', from), checkNumber('to', to));
    return this;
  },
  normal_(this: Tensor, mean = 0, std = 1) {
    native.normal_(this._h, checkNumber('mean', mean), checkNumber('std', std));
    return this;
  },
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, value = 1) {
    native.addcmul_(this._h, handleOf(t1, 'tensor1'), handleOf(t2, 'tensor2'), checkNumber('value', value));
    return this;
  },
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, value = 1) {
    native.addcdiv_(this._h, handleOf(t1, 'tensor1'), handleOf(t2, 'tensor2'), checkNumber('value', value));
    return this;
  },
  lerp_(this: Tensor, end: Tensor, weight: TensorOrNumber) {
    native.lerp_(this._h, handleOf(end, 'end'), operand(weight, 'weight'));
    return this;
  },
});

function bound(name: string, value: unknown): number | null {
  return value === null || value === undefined ? null : checkNumber(name, value);
}
