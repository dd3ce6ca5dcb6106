/**
 * TFRecord framing and the few protobuf messages of a TensorBoard event file, encoded by hand
 * (a scalar event is a handful of fields; a protobuf library would add a dependency for that):
 * each record is uint64 length, masked CRC-32C of the length, the bytes, masked CRC-32C of the
 * bytes, all little-endian, as TensorFlow's record_writer writes them.
 */

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1; // Castagnoli, reflected
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `data`. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masked CRC: rotated right by 15 bits plus a constant. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord frame around `data`. */
export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.byteLength), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}

// ---- protobuf wire format: just what Event, Summary and Summary.Value need ----
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...key(field, 2), ...varint(bytes.byteLength)]), bytes]);
}

/** A `Summary.Value` with `tag` and `simple_value` (a float32). */
function scalarValue(tag: string, value: number): Buffer {
  const simple = Buffer.alloc(5);
  simple[0] = key(2, 5)[0]!; // fixed32
  simple.writeFloatLE(value, 1);
  return Buffer.concat([lengthDelimited(1, Buffer.from(tag, 'utf8')), simple]);
}

/** An `Event` (wall_time, step, and either file_version or a summary of scalars). */
export function eventBytes(
  wallTime: number,
  step: number,
  what: { fileVersion: string } | { scalars: Array<[string, number]> },
): Buffer {
  const time = Buffer.alloc(9);
  time[0] = key(1, 1)[0]!; // fixed64 double
  time.writeDoubleLE(wallTime, 1);
  const stepField = Buffer.from([...key(2, 0), ...varint(step)]);
  const body =
    'fileVersion' in what
      ? lengthDelimited(3, Buffer.from(what.fileVersion, 'utf8'))
      : lengthDelimited(
          5,
          Buffer.concat(what.scalars.map(([t, v]) => lengthDelimited(1, scalarValue(t, v)))),
        );
  return Buffer.concat([time, stepField, body]);
}
