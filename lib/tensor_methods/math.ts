/**
 * Elementwise Tensor methods (added to Tensor.prototype so that tensor.ts stays small).
 * Binary ops broadcast as in PyTorch and take a tensor or a number.
 */
import { type Handle, native, unaryOps, type UnaryName } from '../binding.js';
import type { DType } from '../dtype.js';
import { Tensor, handleOf, operand, wrap, type TensorOrNumber } from '../tensor.js';
import {
  checkBool,
  checkNumber,
  checkNumberNotNaN,
  checkOptions,
  checkTensorDType,
  fail,
} from '../validate.js';

type Unary = { [K in UnaryName]: () => Tensor };

declare module '../tensor.js' {
  interface Tensor<D extends DType = DType> extends Unary {
    /** Elementwise `this + alpha * other` (alpha defaults to 1), broadcasting as PyTorch's `torch.add`. */
    add(other: Tensor | number, alpha?: number): Tensor;
    /** Elementwise `this - alpha * other` (alpha defaults to 1), broadcasting as PyTorch's `torch.sub`. */
    sub(other: Tensor | number, alpha?: number): Tensor;
    /** Elementwise product, broadcasting as PyTorch's `torch.mul`. */
    mul(other: Tensor | number): Tensor;
    /** Elementwise true division (integers give a floating result), broadcasting as PyTorch's `torch.div`. */
    div(other: Tensor | number): Tensor;
    /** Elementwise `this ** exponent`, broadcasting as PyTorch's `torch.pow`. */
    pow(exponent: Tensor | number): Tensor;
    /** Elementwise remainder with the sign of the divisor (Python's `%`), as PyTorch's `torch.remainder`. */
    remainder(other: Tensor | number): Tensor;
    /** Elementwise `this == other` as a bool tensor, broadcasting. */
    eq(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise `this != other` as a bool tensor, broadcasting. */
    ne(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise `this < other` as a bool tensor, broadcasting. */
    lt(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise `this <= other` as a bool tensor, broadcasting. */
    le(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise `this > other` as a bool tensor, broadcasting. */
    gt(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise `this >= other` as a bool tensor, broadcasting. */
    ge(other: Tensor | number): Tensor<'bool'>;
    /** Elementwise maximum of two tensors, broadcasting as PyTorch's `torch.maximum`. */
    maximum(other: Tensor): Tensor;
    /** Elementwise minimum of two tensors, broadcasting as PyTorch's `torch.minimum`. */
    minimum(other: Tensor): Tensor;
    /** Clamps every element into `[min, max]`; a `null` (or omitted `max`) bound is not applied, as PyTorch's `torch.clamp`. */
    clamp(min: number | null, max?: number | null): Tensor<D>;
    /** A copy with `value` where the bool `mask` (broadcast to this shape) is true, as PyTorch's `masked_fill`. */
    maskedFill(mask: Tensor, value: number): Tensor<D>;
    /**
     * Elementwise `|this - other| <= atol + rtol * |other|` as a bool tensor, broadcasting; NaNs
     * are equal only with `equalNan`. Defaults as PyTorch's `isclose`: rtol 1e-5, atol 1e-8.
     */
    isclose(other: Tensor, options?: CloseOptions): Tensor<'bool'>;
    /** Whether `isclose` holds for every element, as PyTorch's `allclose` (reads the result: not capturable). */
    allclose(other: Tensor, options?: CloseOptions): boolean;
    /** In place: this += alpha * other. */
    add_(other: Tensor | number, alpha?: number): this;
    /** In place: this -= alpha * other. */
    sub_(other: Tensor | number, alpha?: number): this;
    /** In place: this *= other. */
    mul_(other: Tensor | number): this;
    /** In place: this /= other. */
    div_(other: Tensor | number): this;
    /** In place: copies `source`'s values into this tensor (broadcasting, converting dtype and device). */
    copy_(source: Tensor): this;
    /** In place: sets every element to `value`. */
    fill_(value: number): this;
    /** In place: sets every element to 0. */
    zero_(): this;
    /** In place: max(this, 0). */
    relu_(): this;
    /** In place: elementwise square root. */
    sqrt_(): this;
    /** In place: clamps into `[min, max]` as `clamp()`. */
    clamp_(min: number | null, max?: number | null): this;
    /** In place: fills with samples from the uniform distribution on `[from, to)` (default `[0, 1)`), from libtorch's generator. */
    uniform_(from?: number, to?: number): this;
    /** In place: fills with samples from the normal distribution N(mean, std²) (default N(0, 1)), from libtorch's generator. */
    normal_(mean?: number, std?: number): this;
    /** In place: this += value * t1 * t2. */
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    /** In place: this += value * t1 / t2. */
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    /** In place: this += weight * (end - this) (linear interpolation, PyTorch's `lerp_`). */
    lerp_(end: Tensor, weight: Tensor | number): this;
  }
}

/** Tolerances of `isclose` and `allclose` (PyTorch's keywords). */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

function closeArgs(other: unknown, options: unknown): [Handle, number, number, boolean] {
  const h = handleOf(other, 'other');
  const o = checkOptions('options', options);
  const tolerance = (name: string, fallback: number): number => {
    const v = o[name] === undefined ? fallback : checkNumberNotNaN(name, o[name]);
    if (v < 0) fail(name, 'a non-negative number', v);
    return v;
  };
  const equalNan = o['equalNan'] === undefined ? false : checkBool('equalNan', o['equalNan']);
  return [h, tolerance('rtol', 1e-5), tolerance('atol', 1e-8), equalNan];
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
    const h = handleOf(mask, 'mask');
    checkTensorDType('mask', mask, 'bool');
    return wrap(native.maskedFill(this._h, h, checkNumber('value', value)));
  },
  isclose(this: Tensor, other: Tensor, options?: CloseOptions) {
    return wrap(native.isclose(this._h, ...closeArgs(other, options)));
  },
  allclose(this: Tensor, other: Tensor, options?: CloseOptions) {
    return native.allclose(this._h, ...closeArgs(other, options));
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
    native.uniform_(this._h, checkNumberNotNaN('from', from), checkNumberNotNaN('to', to));
    return this;
  },
  normal_(this: Tensor, mean = 0, std = 1) {
    native.normal_(this._h, checkNumber('mean', mean), checkNumberNotNaN('std', std));
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
