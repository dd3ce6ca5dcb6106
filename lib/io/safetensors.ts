/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header, then the tensors' bytes. The header maps each tensor
 * name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the end of the header)
 * and may hold "__metadata__": {string: string}.
 *
 * Validation follows the Rust reference implementation: the header is checked completely, against
 * the real data length, before any tensor byte is touched, and the tensors must cover the data
 * exactly (no overlap, no gap, nothing after the last one).
 */
import { FormatError } from './errors.js';
import { topLevelKeys } from './json_keys.js';
import { DTYPE_SIZE, numelOf, type DType, type RawTensor } from './raw.js';

export interface SafetensorsContents {
  /** In the header's order, which is the order the writer listed them in. */
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

/** One validated header entry; begin/end are relative to the start of the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export const SAFETENSORS_DTYPES: Readonly<Record<string, DType>> = Object.freeze({
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
});

const DTYPE_NAMES = new Map<DType, string>(
  Object.entries(SAFETENSORS_DTYPES).map(([name, dtype]) => [dtype, name]),
);

/** The Rust implementation's limit; it bounds what a hostile length field can make us read. */
export const MAX_HEADER_SIZE = 100_000_000;

const METADATA_KEY = '__metadata__';

/**
 * Header length from the first 8 bytes, checked against the file size so that nothing larger
 * than the file is ever allocated.
 */
export function headerLength(first8: Uint8Array, fileSize: number): number {
  if (fileSize < 8) {
    throw new FormatError(
      `not a safetensors file: expected at least 8 bytes (the header length) but the file has ${fileSize}`,
    );
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) {
    // The usual mix-up: a PyTorch checkpoint (a zip, or a legacy pickle) read as safetensors.
    if (view.getUint32(0, true) === 0x04034b50 || first8[0] === 0x80) {
      throw new FormatError('this looks like a PyTorch checkpoint (.pt/.pth), not a safetensors file');
    }
    throw new FormatError(
      `safetensors header claims ${n} bytes but only ${fileSize - 8} bytes follow the length field (truncated file, or not a safetensors file)`,
    );
  }
  if (n > BigInt(MAX_HEADER_SIZE)) {
    throw new FormatError(`safetensors header claims ${n} bytes; the limit is ${MAX_HEADER_SIZE}`);
  }
  if (n < 2n) throw new FormatError(`safetensors header of ${n} bytes is too short to hold a JSON object`);
  return Number(n);
}

/** Parses and validates the header; `dataLength` is the number of bytes after the header. */
export function parseHeader(
  headerBytes: Uint8Array,
  dataLength: number,
): { entries: SafetensorsEntry[]; metadata: Record<string, string> } {
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    json = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`safetensors header is not valid UTF-8 JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError(`safetensors header: expected a JSON object but received ${describe(json)}`);
  }
  const header = json as Record<string, unknown>;
  const names = topLevelKeys(text);
  const seen = new Set<string>();
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const name of names) {
    if (seen.has(name)) throw new FormatError(`safetensors header names '${name}' more than once`);
    seen.add(name);
    if (name === METADATA_KEY) metadata = parseMetadata(header[name]);
    else entries.push(parseEntry(name, header[name], dataLength));
  }
  checkCoverage(entries, dataLength);
  return { entries, metadata };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(
      `safetensors ${METADATA_KEY}: expected an object of strings but received ${describe(value)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new FormatError(
        `safetensors ${METADATA_KEY}['${k}']: expected a string but received ${describe(v)}`,
      );
    }
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataLength: number): SafetensorsEntry {
  const where = `safetensors tensor '${name}'`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(
      `${where}: expected an object {dtype, shape, data_offsets} but received ${describe(value)}`,
    );
  }
  const { dtype: rawDtype, shape: rawShape, data_offsets: offsets } = value as Record<string, unknown>;
  const dtype = typeof rawDtype === 'string' ? SAFETENSORS_DTYPES[rawDtype] : undefined;
  if (dtype === undefined) {
    throw new FormatError(
      `${where}: unsupported dtype ${describe(rawDtype)}; expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`,
    );
  }
  const numel = Array.isArray(rawShape) ? numelOf(rawShape) : null;
  if (numel === null) {
    throw new FormatError(
      `${where}: expected shape to be an array of non-negative integers but received ${describe(rawShape)}`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new FormatError(
      `${where}: expected data_offsets to be [begin, end] integers with 0 <= begin <= end but received ${describe(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const expected = numel * DTYPE_SIZE[dtype];
  if (end - begin !== expected) {
    throw new FormatError(
      `${where}: shape ${JSON.stringify(rawShape)} of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  if (end > dataLength) {
    throw new FormatError(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated file?)`,
    );
  }
  return { name, dtype, shape: rawShape as number[], begin, end };
}

/** Tensors must tile the data section exactly, as the Rust reader requires. */
function checkCoverage(entries: readonly SafetensorsEntry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '(start of data)';
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw new FormatError(
        `safetensors tensors '${previous}' and '${e.name}' overlap: '${e.name}' starts at ${e.begin}, before ${cursor}`,
      );
    }
    if (e.begin > cursor) {
      throw new FormatError(
        `safetensors data has a gap: bytes ${cursor}..${e.begin} before '${e.name}' belong to no tensor`,
      );
    }
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength) {
    throw new FormatError(
      `safetensors data has ${dataLength - cursor} bytes after the last tensor that belong to no tensor (expected ${cursor} data bytes, file has ${dataLength})`,
    );
  }
}

/** Parses a whole safetensors file held in memory. Tensor bytes are views into `buf`. */
export function parseSafetensors(buf: Uint8Array): SafetensorsContents {
  const n = headerLength(buf.subarray(0, 8), buf.byteLength);
  const dataStart = 8 + n;
  const { entries, metadata } = parseHeader(buf.subarray(8, dataStart), buf.byteLength - dataStart);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    tensors.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      bytes: buf.subarray(dataStart + e.begin, dataStart + e.end),
    });
  }
  return { tensors, metadata };
}

/**
 * Serializes to safetensors as a list of chunks (header, then tensor bytes, no copies) to write
 * in order. The header lists tensors in the given order; the data is laid out widest dtype first
 * (stable) so every tensor starts at a multiple of its element size, as the Rust writer ensures,
 * and the header is padded with spaces to a multiple of 8 bytes so the data starts aligned.
 */
export function serializeSafetensors(
  entries: Iterable<readonly [string, RawTensor]>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array[] {
  const list = [...entries];
  const names = new Set<string>();
  for (const [name, t] of list) checkInput(name, t, names);
  const layout = list
    .map(([name, t], index) => ({ name, t, index }))
    .sort((a, b) => DTYPE_SIZE[b.t.dtype] - DTYPE_SIZE[a.t.dtype] || a.index - b.index);
  const offsets = new Map<string, [number, number]>();
  let offset = 0;
  for (const { name, t } of layout) {
    offsets.set(name, [offset, offset + t.bytes.byteLength]);
    offset += t.bytes.byteLength;
  }
  // The header text is built key by key: an object literal would move integer-like names such
  // as "0" to the front and lose the caller's order.
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new TypeError(`metadata['${k}']: expected a string but received ${describe(v)}`);
    }
    parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  for (const [name, t] of list) {
    const info = { dtype: DTYPE_NAMES.get(t.dtype), shape: t.shape, data_offsets: offsets.get(name) };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
  }
  const headerBytes = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(headerBytes.byteLength / 8) * 8).fill(0x20); // ' '
  padded.set(headerBytes);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded.byteLength), true);
  return [prefix, padded, ...layout.map(({ t }) => t.bytes)];
}

function checkInput(name: string, t: RawTensor, names: Set<string>): void {
  if (name === METADATA_KEY) throw new TypeError(`tensor name '${METADATA_KEY}' is reserved by safetensors`);
  if (names.has(name)) throw new TypeError(`tensor name '${name}' appears more than once`);
  names.add(name);
  if (!DTYPE_NAMES.has(t.dtype))
    throw new TypeError(
      `tensor '${name}': expected a dtype of ${[...DTYPE_NAMES.keys()].join(', ')} but received ${describe(t.dtype)}`,
    );
  const numel = numelOf(t.shape);
  if (numel === null)
    throw new TypeError(
      `tensor '${name}': expected shape of non-negative integers but received ${describe(t.shape)}`,
    );
  if (t.bytes.byteLength !== numel * DTYPE_SIZE[t.dtype]) {
    throw new RangeError(
      `tensor '${name}': shape ${JSON.stringify(t.shape)} of ${t.dtype} needs ${numel * DTYPE_SIZE[t.dtype]} bytes but received ${t.bytes.byteLength}`,
    );
  }
}

/** A short description of a JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
