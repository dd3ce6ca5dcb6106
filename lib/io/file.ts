/**
 * Positioned reads and atomic writes shared by the weight-file readers and writers.
 *
 * Readers go through `ByteSource` so that a file is read piece by piece at explicit positions
 * (never slurped whole: big checkpoints would otherwise sit in memory twice) while tests and
 * in-memory callers can use the very same code on a Uint8Array.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FormatError } from './errors.js';
import { checkParentFolder } from './folder.js';

export interface ByteSource {
  /** Total length in bytes; readers check every claimed range against it before allocating. */
  readonly size: number;
  /** Exactly `length` bytes at `position`, or a FormatError if the source ends first. */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** FileHandle.read moves at most 2 GiB - 1 per call (libuv); larger tensors take several. */
const MAX_READ = 1 << 30;

function checkRange(size: number, position: number, length: number): void {
  const ok = Number.isSafeInteger(position) && Number.isSafeInteger(length);
  if (!ok || position < 0 || length < 0 || position + length > size) {
    throw new FormatError(
      `expected ${length} bytes at offset ${position} but the file has only ${size} bytes (truncated?)`,
    );
  }
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.byteLength,
    read(position, length) {
      checkRange(buf.byteLength, position, length);
      return Promise.resolve(buf.subarray(position, position + length));
    },
  };
}

/** Reads into a fresh buffer; fails (rather than returning zeros) if the file shrinks meanwhile. */
export async function readExactly(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const want = Math.min(MAX_READ, length - done);
    const { bytesRead } = await fh.read(out, done, want, position + done);
    if (bytesRead === 0) {
      throw new FormatError(
        `file ended at byte ${position + done} while reading ${length} bytes at offset ${position} (truncated or changed while reading?)`,
      );
    }
    done += bytesRead;
  }
  return out;
}

export function fileSource(fh: FileHandle, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      checkRange(size, position, length);
      return readExactly(fh, position, length);
    },
  };
}

/** Opens `path` read-only and runs `fn` on it as a ByteSource, closing the file afterwards. */
export async function withFileSource<T>(path: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return await fn(fileSource(fh, size));
  } finally {
    await fh.close();
  }
}

/**
 * Writes `chunks` to `path` so that a crash at any point, or an error thrown by `chunks`, leaves
 * either the previous file or the complete new one: write a temporary file in the same folder (rename is only atomic within one
 * file system), fsync it, rename it over `path`, then fsync the folder so the rename survives a
 * power cut.
 */
export async function writeFileAtomic(
  path: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx').catch(async (err: unknown) => {
    // The error would name the hidden temporary file: name the missing folder instead.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') await checkParentFolder(path);
    throw err;
  });
  let renamed = false;
  try {
    let position = 0;
    // A stream that throws (a cut connection, a wrong checksum) leaves no file behind.
    for await (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) {
        const want = Math.min(MAX_READ, chunk.byteLength - done);
        const { bytesWritten } = await fh.write(chunk, done, want, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    }
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined); // already closed when rename failed: ignore
      await unlink(tmp).catch(() => undefined);
    }
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Folders cannot be opened for fsync on Windows and some file systems refuse it; the data is
  // already safe in the file, only the rename's durability is best effort there.
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort, see above */
  }
}
