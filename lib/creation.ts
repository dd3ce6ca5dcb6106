/** Creating tensors: from JavaScript data, filled, random, ranges; joining tensors. */
import { type Handle, native } from './binding.js';
import { describe } from './describe.js';
import { type DType, type Device, dtypeOfTypedArray } from './dtype.js';
import { ArgumentError, ShapeError } from './errors.js';
import { Tensor, handleOf, operand, wrap } from './tensor.js';
import {
  checkBool,
  checkDevice,
  checkDType,
  checkInt,
  checkNumber,
  checkNumberNotNaN,
  checkOptions,
  checkShape,
  checkTensorDType,
} from './validate.js';

/** Options of the tensor factories (PyTorch's `dtype=`, `device=`, `requires_grad=` keywords). */
export interface CreateOptions<D extends DType = DType> {
  /** Element type; the factory's default (usually float32) when omitted. */
  dtype?: D;
  /** Where the tensor lives: `'cpu'` (the default), `'cuda'` or `'cuda:N'`. */
  device?: Device;
  /** Makes the new tensor a leaf that records gradients (default false). */
  requiresGrad?: boolean;
}
/** Options of `tensor(data)`: the factory options plus the shape of flat data. */
export interface TensorOptions<D extends DType = DType> extends CreateOptions<D> {
  /** Required for flat data of rank > 1. */
  shape?: readonly number[];
}

/** The dtype that `tensor(data)` gives when no dtype is asked for. */
export type DTypeOfData<T> = T extends Float64Array
  ? 'float64'
  : T extends Int32Array
    ? 'int32'
    : T extends BigInt64Array
      ? 'int64'
      : T extends Int16Array
        ? 'int16'
        : T extends Int8Array
          ? 'int8'
          : T extends Uint8Array
            ? 'uint8'
            : T extends boolean | readonly boolean[] | readonly (readonly boolean[])[]
              ? 'bool'
              : T extends bigint | readonly bigint[] | readonly (readonly bigint[])[]
                ? 'int64'
                : 'float32';

/** Nested arrays of numbers (or booleans, or bigints). */
export type NestedArray = number | boolean | bigint | readonly NestedArray[];

interface Resolved {
  dtype: DType;
  device: Device;
  requiresGrad: boolean;
}

function resolve(options: unknown, defaultDType: DType = 'float32'): Resolved {
  const o = checkOptions('options', options);
  return {
    dtype: o['dtype'] === undefined ? defaultDType : checkDType('dtype', o['dtype']),
    device: o['device'] === undefined ? 'cpu' : checkDevice('device', o['device']),
    requiresGrad: o['requiresGrad'] === undefined ? false : checkBool('requiresGrad', o['requiresGrad']),
  };
}

/** Moves data made on the CPU to the requested device (unless `onDevice`) and sets requiresGrad. */
function finish<D extends DType>(t: Tensor, r: Resolved, onDevice = false): Tensor<D> {
  let out = t;
  if (!onDevice && r.device !== 'cpu') {
    out = t.to(r.device);
    t.dispose();
  }
  if (r.requiresGrad) out.requiresGrad = true;
  return out as Tensor<D>;
}

function shapeOf(name: string, shape: unknown): number[] {
  return typeof shape === 'number' ? [checkInt(name, shape, 0)] : checkShape(name, shape);
}

/** Walks nested arrays: their shape and their leaves in row-major order. */
function flattenNested(data: NestedArray): { shape: number[]; values: (number | boolean | bigint)[] } {
  const shape: number[] = [];
  for (let d: NestedArray = data; Array.isArray(d); d = (d as readonly NestedArray[])[0] as NestedArray) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const values: (number | boolean | bigint)[] = [];
  const walk = (node: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new ShapeError('Expected nested arrays of equal lengths for data');
      if (typeof node !== 'number' && typeof node !== 'boolean' && typeof node !== 'bigint') {
        throw new ArgumentError(
          `Expected numbers, booleans or bigints in data but received ${describe(node)}`,
        );
      }
      values.push(node as number | boolean | bigint);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new ShapeError(
        `Expected nested arrays of equal lengths for data (a ragged array was given at depth ${depth})`,
      );
    }
    for (const child of node as readonly NestedArray[]) walk(child, depth + 1);
  };
  walk(data, 0);
  return { shape, values };
}

function typedArrayFor(dtype: DType, values: (number | boolean | bigint)[]): ArrayBufferView {
  const nums = (): number[] => values.map((v) => Number(v));
  switch (dtype) {
    case 'float64':
      return Float64Array.from(nums());
    case 'int64':
      return BigInt64Array.from(
        values.map((v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))))),
      );
    case 'int32':
      return Int32Array.from(nums());
    case 'bool':
    case 'uint8':
      return Uint8Array.from(nums());
    default:
      return Float32Array.from(nums());
  }
}

/**
 * A tensor from a TypedArray, a number, or nested arrays. Plain numbers give float32,
 * booleans bool, bigints int64 (JavaScript has no integer literals); `dtype` converts.
 */
export function tensor<T extends ArrayBufferView | NestedArray, D extends DType = DTypeOfData<T>>(
  data: T,
  options: TensorOptions<D> = {},
): Tensor<D> {
  const o = checkOptions('options', options);
  if (ArrayBuffer.isView(data)) {
    let source = dtypeOfTypedArray(data);
    if (data instanceof Uint8Array && o['dtype'] === 'bool') source = 'bool';
    if (data instanceof Uint16Array && (o['dtype'] === 'float16' || o['dtype'] === 'bfloat16'))
      source = o['dtype'];
    if (source === undefined) {
      throw new ArgumentError(
        `Expected a Float32Array, Float64Array, Int32Array, BigInt64Array, Int16Array, Int8Array or Uint8Array for data but received ${describe(data)}`,
      );
    }
    const r = resolve(options, source);
    const length = (data as unknown as { length: number }).length;
    const shape = o['shape'] === undefined ? [length] : checkShape('shape', o['shape']);
    let t = wrap(native.fromTypedArray(data, shape, source));
    if (r.dtype !== source) {
      const converted = t.to(r.dtype);
      t.dispose();
      t = converted;
    }
    return finish<D>(t, r);
  }
  if (
    data === null ||
    (typeof data !== 'object' &&
      typeof data !== 'number' &&
      typeof data !== 'boolean' &&
      typeof data !== 'bigint')
  ) {
    throw new ArgumentError(
      `Expected a TypedArray, a number or nested arrays for data but received ${describe(data)}`,
    );
  }
  const { shape, values } = flattenNested(data);
  const first = values[0];
  const inferred: DType =
    typeof first === 'boolean' ? 'bool' : typeof first === 'bigint' ? 'int64' : 'float32';
  const r = resolve(options, inferred);
  const direct: DType[] = ['float32', 'float64', 'int64', 'int32', 'bool', 'uint8'];
  const carrier = direct.includes(r.dtype) ? r.dtype : 'float64';
  let t = wrap(
    native.fromTypedArray(
      typedArrayFor(carrier, values),
      o['shape'] === undefined ? shape : checkShape('shape', o['shape']),
      carrier,
    ),
  );
  if (carrier !== r.dtype) {
    const converted = t.to(r.dtype);
    t.dispose();
    t = converted;
  }
  return finish<D>(t, r);
}

type Filler = 'zeros' | 'ones' | 'empty' | 'randn' | 'rand';
function filled<D extends DType>(kind: Filler, shape: unknown, options: unknown): Tensor<D> {
  const r = resolve(options);
  return finish<D>(wrap(native[kind](shapeOf('shape', shape), r.dtype, r.device)), r, true);
}

/** A tensor of the given shape filled with 0 (float32 unless `dtype`), as `torch.zeros`. */
export const zeros = <D extends DType = 'float32'>(
  shape: readonly number[] | number,
  options?: CreateOptions<D>,
): Tensor<D> => filled('zeros', shape, options);
/** A tensor of the given shape filled with 1 (float32 unless `dtype`), as `torch.ones`. */
export const ones = <D extends DType = 'float32'>(
  shape: readonly number[] | number,
  options?: CreateOptions<D>,
): Tensor<D> => filled('ones', shape, options);
/** An uninitialized tensor of the given shape (float32 unless `dtype`), as `torch.empty`. */
export const empty = <D extends DType = 'float32'>(
  shape: readonly number[] | number,
  options?: CreateOptions<D>,
): Tensor<D> => filled('empty', shape, options);
/** Standard normal samples; with the same manualSeed, the same numbers as PyTorch on CPU. */
export const randn = <D extends DType = 'float32'>(
  shape: readonly number[] | number,
  options?: CreateOptions<D>,
): Tensor<D> => filled('randn', shape, options);
/** Uniform samples in [0, 1); with the same manualSeed, the same numbers as PyTorch on CPU. */
export const rand = <D extends DType = 'float32'>(
  shape: readonly number[] | number,
  options?: CreateOptions<D>,
): Tensor<D> => filled('rand', shape, options);

/** A tensor of the given shape filled with `value` (float32 unless `dtype`), as `torch.full`. */
export function full<D extends DType = 'float32'>(
  shape: readonly number[] | number,
  value: number,
  options?: CreateOptions<D>,
): Tensor<D> {
  const r = resolve(options);
  return finish<D>(
    wrap(native.full(shapeOf('shape', shape), checkNumber('value', value), r.dtype, r.device)),
    r,
    true,
  );
}

/** Random integers uniform in `[low, high)` (int64 unless `dtype`), as `torch.randint`. */
export function randint(
  low: number,
  high: number,
  shape: readonly number[] | number,
  options?: CreateOptions,
): Tensor<'int64'> {
  const r = resolve(options, 'int64');
  return finish(
    wrap(
      native.randint(
        checkInt('low', low),
        checkInt('high', high),
        shapeOf('shape', shape),
        r.dtype,
        r.device,
      ),
    ),
    r,
    true,
  );
}

/** A random permutation of `0..n-1` (int64 unless `dtype`), as `torch.randperm`. */
export function randperm(n: number, options?: CreateOptions): Tensor<'int64'> {
  const r = resolve(options, 'int64');
  return finish(wrap(native.randperm(checkInt('n', n, 0), r.dtype, r.device)), r, true);
}

/** `arange(end)` or `arange(start, end, step?)`; int64 unless a dtype or a fractional bound says otherwise. */
export function arange(
  startOrEnd: number,
  end?: number | CreateOptions,
  step?: number | CreateOptions,
  options?: CreateOptions,
): Tensor {
  const hasRange = typeof end === 'number';
  // PyTorch refuses a NaN bound ("unsupported range"): say so in the library's words.
  const start = hasRange ? checkNumberNotNaN('start', startOrEnd) : 0;
  const stop = hasRange ? checkNumberNotNaN('end', end) : checkNumberNotNaN('end', startOrEnd);
  const s = typeof step === 'number' ? checkNumberNotNaN('step', step) : 1;
  const opts = !hasRange ? end : typeof step === 'number' ? options : step;
  const integral = [start, stop, s].every(Number.isInteger);
  const r = resolve(opts, integral ? 'int64' : 'float32');
  return finish(wrap(native.arange(start, stop, s, r.dtype, r.device)), r, true);
}

/** `steps` values evenly spaced from `start` to `end` inclusive (float32 unless `dtype`), as `torch.linspace`. */
export function linspace(start: number, end: number, steps: number, options?: CreateOptions): Tensor {
  const r = resolve(options);
  return finish(
    wrap(
      native.linspace(
        checkNumber('start', start),
        checkNumber('end', end),
        checkInt('steps', steps, 0),
        r.dtype,
        r.device,
      ),
    ),
    r,
    true,
  );
}

/** An `n × m` (default `n × n`) identity matrix (float32 unless `dtype`), as `torch.eye`. */
export function eye(n: number, m?: number, options?: CreateOptions): Tensor {
  const r = resolve(options);
  return finish(wrap(native.eye(checkInt('n', n, 0), checkInt('m', m ?? n, 0), r.dtype, r.device)), r, true);
}

/** Zeros with `t`'s shape, dtype and device (each overridable by `options`). */
export function zerosLike(t: Tensor, options?: CreateOptions): Tensor {
  handleOf(t, 'input');
  return zeros(t.shape, { dtype: t.dtype, device: t.device, ...options });
}

/** Ones with `t`'s shape, dtype and device (each overridable by `options`). */
export function onesLike(t: Tensor, options?: CreateOptions): Tensor {
  handleOf(t, 'input');
  return ones(t.shape, { dtype: t.dtype, device: t.device, ...options });
}

function handles(name: string, tensors: unknown): ReturnType<typeof handleOf>[] {
  if (!Array.isArray(tensors))
    throw new ArgumentError(`Expected an array of Tensors for ${name} but received ${describe(tensors)}`);
  return tensors.map((t, i) => handleOf(t, `${name}[${i}]`));
}

/** Joins tensors along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(native.cat(handles('tensors', tensors), checkInt('dim', dim)));
}

/** Joins tensors along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(native.stack(handles('tensors', tensors), checkInt('dim', dim)));
}

/**
 * Elementwise `condition ? input : other`, broadcasting, as `torch.where`; either branch may be
 * a number or a boolean. A number keeps a tensor branch's dtype (`where(c, x, 0)`); with two
 * numbers the result is int64 for integers and float32 otherwise, as in PyTorch (1 and 1.0 are
 * the same JavaScript number: write `where(c, 1, 0).float()` for floats); with two booleans it
 * is a bool tensor (`where(c, true, false)`).
 */
export function where(
  condition: Tensor,
  input: Tensor | number | boolean,
  other: Tensor | number | boolean,
): Tensor {
  const c = handleOf(condition, 'condition');
  checkTensorDType('condition', condition, 'bool');
  return wrap(native.where(c, branch(input, 'input'), branch(other, 'other')));
}

/** A where branch: a boolean as it is (native reads it as a bool scalar), else an operand. */
function branch(value: unknown, name: string): Handle | number | boolean {
  return typeof value === 'boolean' ? value : operand(value, name);
}
