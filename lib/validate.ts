/**
 * Argument checks with one message format, as sharp does:
 * "Expected a positive integer for stride but received -3 of type number".
 */
import { isDynamicNumber } from './dynamic_number.js';
import { describe } from './describe.js';
import { type DType, type Device, isDType, isDevice, isFloatingDType } from './dtype.js';
import { anyAutocast } from './amp/state.js';
import { ArgumentError, DeviceError, DTypeError } from './errors.js';

export function fail(name: string, expected: string, value: unknown): never {
  throw new ArgumentError(`Expected ${expected} for ${name} but received ${describe(value)}`);
}

/**
 * Any IEEE double, NaN and ±Infinity included, as PyTorch takes a Python float (`full(s, nan)`,
 * `fill_(nan)`, `clamp(min=nan)`). Where PyTorch refuses NaN use checkNumberNotNaN, and where
 * only finite values make sense (rates, probabilities, epsilons) checkFinite.
 */
export function checkNumber(name: string, value: unknown): number {
  if (isDynamicNumber(value)) return value as unknown as number; // checked by the addon
  if (typeof value !== 'number') fail(name, 'a number', value);
  return value;
}

/** A number other than NaN (±Infinity allowed), for bounds PyTorch compares (arange, uniform_, dropout's p). */
export function checkNumberNotNaN(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(name, 'a number (not NaN)', value);
  return value;
}

export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'a finite number', value);
  return value;
}

export function checkInt(name: string, value: unknown, min = -Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const expected = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : 'an integer';
    fail(name, min > 1 ? `an integer >= ${min}` : expected, value);
  }
  return value;
}

export function checkBool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

/** A list of integers; a single number is repeated `length` times (PyTorch's `_pair`). */
export function checkIntList(name: string, value: unknown, length: number, min = 0): number[] {
  if (typeof value === 'number') return new Array<number>(length).fill(checkInt(name, value, min));
  if (!Array.isArray(value) || value.length !== length) {
    fail(name, `an integer or an array of ${length} integers`, value);
  }
  return value.map((v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      fail(name, `an integer or an array of ${length} integers >= ${min}`, value);
    }
    return v;
  });
}

/** A shape: an array of non-negative integers. */
export function checkShape(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) fail(name, 'an array of non-negative integers', value);
  for (const v of value) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      fail(name, 'an array of non-negative integers', value);
    }
  }
  return value as number[];
}

/** Dims for reductions: one integer or an array of integers. */
export function checkDims(name: string, value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) fail(name, 'an integer or an array of integers', value);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      fail(name, 'an integer or an array of integers', value);
    }
  }
  return list as number[];
}

export function checkDType(name: string, value: unknown): DType {
  if (!isDType(value)) {
    throw new DTypeError(
      `Expected a dtype (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool) for ${name} but received ${describe(value)}`,
    );
  }
  return value;
}

export function checkDevice(name: string, value: unknown): Device {
  if (!isDevice(value)) {
    throw new DeviceError(`Expected 'cpu', 'cuda' or 'cuda:N' for ${name} but received ${describe(value)}`);
  }
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail(name, `one of ${options.map((o) => `'${o}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Options objects must be objects (or omitted). */
export function checkOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(name, 'an options object', value);
  return value as Record<string, unknown>;
}

/** What dtype checks need of a tensor (structural, so that this file does not import tensor.ts). */
interface Typed {
  readonly dtype: DType;
}

/**
 * A floating-point tensor for `name`: libtorch's kernels would otherwise refuse it with a
 * message that names neither the argument nor what it expected ("expected scalar type Long
 * but found Float" for an int64 conv input).
 */
export function checkFloatingTensor(name: string, t: Typed): void {
  if (!isFloatingDType(t.dtype)) {
    // uint8 images are the usual case: say what to convert, not only what is wrong.
    const remedy = t.dtype === 'uint8' ? 'x.float().div(255) for 8-bit pixels' : 'x.float()';
    throw new DTypeError(
      `Expected a floating-point tensor for ${name} but received a tensor of dtype ${t.dtype}: convert it first, e.g. ${remedy}`,
    );
  }
}

/**
 * A tensor for `name` of the dtype of the tensor passed as `likeName` (PyTorch's ops do not mix
 * dtypes). Inside `autocast` dtypes may mix, as in PyTorch: autocast casts the operands of the
 * ops on its lists, and libtorch itself reports what it cannot take.
 */
export function checkSameDType(name: string, t: Typed | null, likeName: string, like: Typed): void {
  if (t !== null && t.dtype !== like.dtype && !anyAutocast()) {
    throw new DTypeError(
      `Expected a ${like.dtype} tensor (the dtype of ${likeName}) for ${name} but received a tensor of dtype ${t.dtype}: convert one of them with .to('${like.dtype}')`,
    );
  }
}

/** A tensor of exactly `dtype` for `name` (class-index targets are int64, as in PyTorch). */
export function checkTensorDType(name: string, t: Typed, dtype: DType): void {
  if (t.dtype !== dtype) {
    throw new DTypeError(
      `Expected a ${dtype} tensor for ${name} but received a tensor of dtype ${t.dtype}: convert it with .to('${dtype}')`,
    );
  }
}
