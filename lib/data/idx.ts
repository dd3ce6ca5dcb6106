/** The IDX format of (Fashion-)MNIST: big-endian header, then raw bytes; gzip or not. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../errors.js';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export async function readIdx(path: string): Promise<IdxArray> {
  let buf: Uint8Array = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0)
    throw new FormatError(`${path} is not an IDX file (bad magic number)`);
  if (buf[2] !== 0x08)
    throw new FormatError(
      `${path}: only unsigned-byte IDX data is supported (type 0x${buf[2]!.toString(16)})`,
    );
  const rank = buf[3]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * rank) throw new FormatError(`${path} is truncated (header)`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length - start !== count) {
    throw new FormatError(`${path} holds ${buf.length - start} data bytes but its header describes ${count}`);
  }
  return { shape, data: buf.subarray(start) };
}
