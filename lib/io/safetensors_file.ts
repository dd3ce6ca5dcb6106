/**
 * safetensors files on disk. Reading goes piece by piece at explicit positions: 8 bytes, then
 * the header (only once its length has been checked against the file size), then each tensor
 * into its own buffer, so a file is never held twice in memory and a lying header never makes
 * us allocate more than the file holds. Writing is atomic (see writeFileAtomic).
 */
import { withContext, FormatError } from './errors.js';
import { withFileSource, writeFileAtomic } from './file.js';
import type { RawTensor } from './raw.js';
import { headerLength, parseHeader, serializeSafetensors, type SafetensorsContents } from './safetensors.js';

export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  try {
    return await withFileSource(path, async (src) => {
      const n = headerLength(await src.read(0, Math.min(8, src.size)), src.size);
      const dataStart = 8 + n;
      const { entries, metadata } = parseHeader(await src.read(8, n), src.size - dataStart);
      const tensors = new Map<string, RawTensor>();
      // Read in offset order (sequential on disk), insert in header order.
      const byOffset = [...entries].sort((a, b) => a.begin - b.begin);
      const bytes = new Map<string, Uint8Array>();
      for (const e of byOffset) bytes.set(e.name, await src.read(dataStart + e.begin, e.end - e.begin));
      for (const e of entries) {
        tensors.set(e.name, {
          dtype: e.dtype,
          shape: e.shape,
          bytes: bytes.get(e.name) ?? new Uint8Array(0),
        });
      }
      return { tensors, metadata };
    });
  } catch (err) {
    if (err instanceof FormatError) throw withContext(path, err);
    throw err; // I/O errors (ENOENT, EACCES, EISDIR) keep their node:fs code
  }
}

/** Writes a safetensors file atomically: a crash mid-write leaves any previous file intact. */
export async function writeSafetensorsFile(
  path: string,
  entries: Iterable<readonly [string, RawTensor]>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(entries, metadata));
}
