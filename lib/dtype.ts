/** Tensor element types, named as PyTorch names them (without the `torch.` prefix). */
export type DType =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** `'cpu'`, `'cuda'` (device 0) or `'cuda:N'`. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

/** The TypedArray that `dataSync()` returns for each dtype (16-bit floats as raw bits). */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type AnyTypedArray = TypedArrayOf[DType];

export const dtypes: readonly DType[] = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
]; // prettier-ignore

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (dtypes as readonly string[]).includes(value);
}

export function isDevice(value: unknown): value is Device {
  return typeof value === 'string' && /^(cpu|cuda|cuda:\d{1,3})$/.test(value);
}

export function isFloatingDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** The dtype a TypedArray carries by itself (Uint8Array is uint8; pass `dtype: 'bool'` for bool). */
export function dtypeOfTypedArray(data: ArrayBufferView): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  return undefined;
}

const halfView = new DataView(new ArrayBuffer(4));

/** The value of IEEE half-precision bits (what `dataSync()` returns for float16). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The value of bfloat16 bits: the upper half of a float32. */
export function bfloat16ToNumber(bits: number): number {
  halfView.setUint32(0, bits << 16);
  return halfView.getFloat32(0);
}
