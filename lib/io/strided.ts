/**
 * Turning `_rebuild_tensor_v2(storage, offset, size, stride)` into C-contiguous bytes.
 *
 * torch.save stores views as they are (a transposed weight, a slice at an offset, an expand()
 * with stride 0, several tensors sharing one storage), so every offset and stride is checked
 * against the storage's real length before a byte is copied, and the output size of a view
 * larger than its storage is capped.
 */
import { FormatError } from './errors.js';
import { DTYPE_SIZE, numelOf, type DType, type RawTensor } from './raw.js';

/** A slice of a storage record: `numel` elements of `dtype` from element `elementOffset` on. */
export interface StorageRef {
  key: string;
  dtype: DType;
  elementOffset: number;
  numel: number;
  /** Elements in the whole record `key` (differs from numel only for legacy storage views). */
  recordNumel: number;
}

export interface PendingView {
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

export const EMPTY = new Uint8Array(0);

/**
 * Views that are not contiguous are copied. A few hundred pickle bytes can describe thousands of
 * transposed views of one big storage, or an expand() to terabytes, so copies share a budget:
 * callers pass a multiple of the file size, and this much is always allowed.
 */
export const BASE_COPY_BUDGET = 2 ** 30;

export function fmt(a: readonly number[]): string {
  return `(${a.join(', ')})`;
}

/**
 * Fills in the bytes of `tensors` (those still pending) from their storages. `record(key)` gives
 * a storage record's bytes (already byte-swapped to little-endian); each is read once. Copies of
 * non-contiguous views may total at most `copyBudget` bytes.
 */
export async function materialize(
  tensors: Iterable<RawTensor>,
  pending: Map<RawTensor, PendingView>,
  record: (key: string, dtype: DType) => Promise<Uint8Array>,
  copyBudget = BASE_COPY_BUDGET,
): Promise<void> {
  const budget = { left: copyBudget, total: copyBudget };
  const cache = new Map<string, Uint8Array>();
  for (const t of tensors) {
    const view = pending.get(t);
    if (view === undefined) continue;
    const { key } = view.storage;
    let bytes = cache.get(key);
    if (bytes === undefined) {
      bytes = await record(key, view.storage.dtype);
      cache.set(key, bytes);
    }
    t.bytes = gather(storageBytes(view.storage, bytes), view, budget);
    pending.delete(t);
  }
}

function storageBytes(ref: StorageRef, recordBytes: Uint8Array): Uint8Array {
  const es = DTYPE_SIZE[ref.dtype];
  if (recordBytes.byteLength !== ref.recordNumel * es) {
    throw new FormatError(
      `storage '${ref.key}': expected ${ref.recordNumel} elements of ${ref.dtype} (${ref.recordNumel * es} bytes) but the record has ${recordBytes.byteLength} bytes`,
    );
  }
  return recordBytes.subarray(ref.elementOffset * es, (ref.elementOffset + ref.numel) * es);
}

/** The strided view as C-contiguous bytes: a zero-copy slice when already contiguous. */
function gather(
  storage: Uint8Array,
  { storage: ref, offset, size, stride }: PendingView,
  budget: { left: number; total: number },
): Uint8Array {
  const es = DTYPE_SIZE[ref.dtype];
  const numel = numelOf(size) ?? 0;
  if (numel === 0) return EMPTY;
  let last = BigInt(offset);
  for (let d = 0; d < size.length; d++) last += BigInt((size[d] ?? 1) - 1) * BigInt(stride[d] ?? 0);
  if (last >= BigInt(ref.numel)) {
    throw new FormatError(
      `tensor of size ${fmt(size)}, stride ${fmt(stride)} at storage offset ${offset} reaches element ${last} ` +
        `but storage '${ref.key}' has only ${ref.numel} elements`,
    );
  }
  const outBytes = numel * es;
  let expected = 1;
  let contiguous = true;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= size[d] ?? 1;
  }
  if (contiguous) return storage.subarray(offset * es, (offset + numel) * es);
  if (outBytes > budget.left) {
    throw new FormatError(
      `tensor of size ${fmt(size)}, stride ${fmt(stride)} would copy ${outBytes} bytes out of ${storage.byteLength} ` +
        `storage bytes, past the ${budget.total} bytes allowed for copies of views in this file; refusing`,
    );
  }
  budget.left -= outBytes;
  const out = new Uint8Array(outBytes);
  const rank = size.length;
  const index = new Array<number>(rank).fill(0);
  const innerSize = size[rank - 1] ?? 1;
  const innerStride = (stride[rank - 1] ?? 0) * es;
  let o = 0;
  for (let n = 0; n < numel; n += innerSize) {
    let s = offset;
    for (let d = 0; d < rank - 1; d++) s += (index[d] ?? 0) * (stride[d] ?? 0);
    s *= es;
    if (innerStride === es) {
      out.set(storage.subarray(s, s + innerSize * es), o);
      o += innerSize * es;
    } else {
      for (let i = 0; i < innerSize; i++, s += innerStride)
        for (let b = 0; b < es; b++) out[o++] = storage[s + b] ?? 0;
    }
    for (let d = rank - 2; d >= 0; d--) {
      // odometer over all but the innermost dimension
      if ((index[d] = (index[d] ?? 0) + 1) < (size[d] ?? 1)) break;
      index[d] = 0;
    }
  }
  return out;
}
