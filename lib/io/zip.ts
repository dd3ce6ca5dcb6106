/**
 * A minimal zip reader for PyTorch checkpoints: the central directory (zip64 included, since
 * checkpoints over 4 GiB or 65535 entries need it and PyTorch's writer emits zip64 records), and
 * entry data, stored or deflated, CRC-checked.
 *
 * Everything a record claims (directory size and offset, entry sizes and offsets) is checked
 * against the file size before anything is allocated, and a deflated entry may not claim more
 * than deflate's maximum ratio allows, so a hostile file cannot make us allocate gigabytes.
 */
import * as zlib from 'node:zlib';
import { FormatError } from './errors.js';
import type { ByteSource } from './file.js';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate; others are refused when read. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** deflate cannot expand data more than ~1032:1; anything claiming more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;

export function looksLikeZip(first4: Uint8Array): boolean {
  return first4.byteLength >= 4 && view(first4).getUint32(0, true) === SIG_LOCAL;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, at: number, what: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`zip: ${what} ${v} is out of range`);
  return Number(v);
}

/** The entries of the central directory, in directory order. */
export async function readZipDirectory(src: ByteSource): Promise<ZipEntry[]> {
  const tailLength = Math.min(src.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  const tv = view(tail);
  // Scan backwards for the end record whose comment length makes it end exactly at the file's end.
  let at = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0)
    throw new FormatError('not a zip file: no end-of-central-directory record (truncated or another format)');
  const eocdPos = tailStart + at;
  if (tv.getUint16(at + 4, true) !== 0 || tv.getUint16(at + 6, true) !== 0) {
    throw new FormatError('zip: multi-disk archives are not supported');
  }
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  let cdLimit = eocdPos;
  const locPos = eocdPos - 20;
  if (locPos >= 0) {
    const loc = view(await src.read(locPos, 20));
    if (loc.getUint32(0, true) === SIG_ZIP64_LOCATOR) {
      const z64Pos = u64(loc, 8, 'zip64 end record offset');
      if (z64Pos + 56 > locPos)
        throw new FormatError(`zip: zip64 end record offset ${z64Pos} is out of range`);
      const z = view(await src.read(z64Pos, 56));
      if (z.getUint32(0, true) !== SIG_ZIP64_EOCD)
        throw new FormatError(`zip: no zip64 end record at offset ${z64Pos}`);
      count = u64(z, 32, 'entry count');
      cdSize = u64(z, 40, 'central directory size');
      cdOffset = u64(z, 48, 'central directory offset');
      cdLimit = z64Pos;
    }
  }
  if (cdOffset + cdSize > cdLimit) {
    throw new FormatError(
      `zip: central directory claims bytes ${cdOffset}..${cdOffset + cdSize} but its end record is at ${cdLimit} (truncated or corrupt)`,
    );
  }
  return parseCentralDirectory(await src.read(cdOffset, cdSize), count, cdOffset);
}

function parseCentralDirectory(cd: Uint8Array, count: number, cdOffset: number): ZipEntry[] {
  const dv = view(cd);
  const decoder = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.byteLength || dv.getUint32(p, true) !== SIG_CENTRAL) {
      throw new FormatError(
        `zip: central directory entry ${i} of ${count} missing at offset ${cdOffset + p}`,
      );
    }
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cd.byteLength)
      throw new FormatError(`zip: central directory entry ${i} runs past the directory`);
    const entry: ZipEntry = {
      name: decoder.decode(cd.subarray(p + 46, p + 46 + nameLength)),
      method: dv.getUint16(p + 10, true),
      flags: dv.getUint16(p + 8, true),
      crc32: dv.getUint32(p + 16, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    applyZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p = next;
  }
  return entries;
}

/** 32-bit fields saturated at 0xFFFFFFFF are given in the zip64 extra field, in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Uint8Array): void {
  const FULL = 0xffffffff;
  if (entry.size !== FULL && entry.compressedSize !== FULL && entry.localHeaderOffset !== FULL) return;
  const dv = view(extra);
  for (let p = 0; p + 4 <= extra.byteLength;) {
    const id = dv.getUint16(p, true);
    const length = dv.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const take = (what: string): number => {
        if (q + 8 > p + 4 + length || q + 8 > extra.byteLength) {
          throw new FormatError(`zip: entry '${entry.name}': zip64 extra field lacks the ${what}`);
        }
        const v = u64(dv, q, what);
        q += 8;
        return v;
      };
      if (entry.size === FULL) entry.size = take('size');
      if (entry.compressedSize === FULL) entry.compressedSize = take('compressed size');
      if (entry.localHeaderOffset === FULL) entry.localHeaderOffset = take('local header offset');
      return;
    }
    p += 4 + length;
  }
  throw new FormatError(`zip: entry '${entry.name}' has saturated 32-bit sizes but no zip64 extra field`);
}

/** The entry's uncompressed bytes, CRC-checked. */
export async function readZipEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
  const where = `zip: entry '${entry.name}'`;
  if ((entry.flags & 1) !== 0) throw new FormatError(`${where} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new FormatError(
      `${where}: compression method ${entry.method} is not supported (expected 0 = stored or 8 = deflate)`,
    );
  }
  if (entry.localHeaderOffset + 30 > src.size) {
    throw new FormatError(
      `${where}: local header offset ${entry.localHeaderOffset} is past the end of the file (${src.size} bytes)`,
    );
  }
  const local = view(await src.read(entry.localHeaderOffset, 30));
  if (local.getUint32(0, true) !== SIG_LOCAL) {
    throw new FormatError(`${where}: no local header at offset ${entry.localHeaderOffset}`);
  }
  // The local extra field may differ from the central one (PyTorch pads it to align the data).
  const dataStart = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataStart + entry.compressedSize > src.size) {
    throw new FormatError(
      `${where}: claims ${entry.compressedSize} bytes at offset ${dataStart} but the file has only ${src.size} bytes (truncated?)`,
    );
  }
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) {
      throw new FormatError(
        `${where}: stored entry with compressed size ${entry.compressedSize} != size ${entry.size}`,
      );
    }
    data = await src.read(dataStart, entry.size);
  } else {
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64) {
      throw new FormatError(
        `${where}: claims ${entry.size} bytes from ${entry.compressedSize} deflated bytes, more than deflate can produce`,
      );
    }
    const packed = await src.read(dataStart, entry.compressedSize);
    try {
      data = zlib.inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw new FormatError(`${where}: cannot inflate: ${(err as Error).message}`, { cause: err });
    }
    if (data.byteLength !== entry.size) {
      throw new FormatError(`${where}: inflated to ${data.byteLength} bytes, expected ${entry.size}`);
    }
  }
  const crc = crc32(data);
  if (crc !== entry.crc32) {
    throw new FormatError(
      `${where}: CRC-32 mismatch (expected ${hex(entry.crc32)}, computed ${hex(crc)}): the file is corrupt`,
    );
  }
  return data;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

let table: Uint32Array | undefined;

/** zlib.crc32 is native from Node 20.15 / 22.2; older Nodes get the table-driven loop. */
function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.byteLength; i++) c = (table[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
