/**
 * The legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False; the
 * format of torchvision's first published weights such as resnet18-5c106cde.pth): five pickles
 * back to back (magic number, protocol version, system info, the object, the sorted list of
 * storage keys), then each storage as an int64 element count followed by its bytes, always
 * little-endian.
 */
import { FormatError } from './errors.js';
import type { ByteSource } from './file.js';
import type { Checkpoint, PthOptions } from './pth.js';
import { PickleTruncatedError, unpickle, type UnpickleHooks } from './pickle.js';
import { aTypeName } from './py_values.js';
import { DTYPE_SIZE } from './raw.js';
import { unpickleTorch } from './torch_pickle.js';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
/** The pickles are small next to the storages; start with this much and grow on demand. */
const FIRST_READ = 1 << 20;

/** The first, third and fifth pickles are plain data: any global or persistent id is an error. */
const plainData: UnpickleHooks = {
  findGlobal(module, name) {
    throw new FormatError(
      `refusing to load global '${module}.${name}' from the pickle header of a legacy checkpoint`,
    );
  },
  persistentLoad() {
    throw new FormatError('unexpected persistent id in the pickle header of a legacy checkpoint');
  },
  build(obj) {
    throw new FormatError(`BUILD on ${aTypeName(obj)} is not allowed`);
  },
};

export async function readLegacy(src: ByteSource, options: PthOptions): Promise<Checkpoint> {
  // The pickles' total length is only known once parsed: parse a prefix of the file, and if it
  // runs out, retry with a larger one (at most the file, which bounds every allocation).
  for (let length = Math.min(src.size, FIRST_READ); ; length = Math.min(src.size, length * 4)) {
    const head = await src.read(0, length);
    try {
      return await parseLegacy(src, head, options);
    } catch (err) {
      if (!(err instanceof PickleTruncatedError) || length === src.size) throw err;
    }
  }
}

async function parseLegacy(src: ByteSource, head: Uint8Array, options: PthOptions): Promise<Checkpoint> {
  const magic = unpickle(head, plainData);
  if (magic.value !== MAGIC) {
    throw new FormatError("not a PyTorch checkpoint: the file is a pickle without torch.save's magic number");
  }
  const protocol = unpickle(head, plainData, magic.end);
  if (protocol.value !== PROTOCOL_VERSION) {
    throw new FormatError(
      `legacy checkpoint of protocol version ${String(protocol.value)}; only ${PROTOCOL_VERSION} is supported`,
    );
  }
  const sysInfo = unpickle(head, plainData, protocol.end);
  const result = unpickleTorch(head, { allowGlobals: options.allowGlobals, start: sysInfo.end });
  const keys = unpickle(head, plainData, result.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) {
    throw new FormatError(
      `legacy checkpoint: expected the list of storage keys but received ${aTypeName(keys.value)}`,
    );
  }
  // Walk the storages (each: int64 element count, then the bytes) to learn where each one is.
  const located = new Map<string, { position: number; length: number }>();
  let position = keys.end;
  for (const key of keys.value as string[]) {
    const info = result.records.get(key);
    if (info === undefined)
      throw new FormatError(`legacy checkpoint lists storage '${key}' that no tensor refers to`);
    if (position + 8 > src.size)
      throw new FormatError(`legacy checkpoint ends before storage '${key}' (truncated?)`);
    const countBytes = await src.read(position, 8);
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, true);
    const length = info.numel * DTYPE_SIZE[info.dtype];
    if (count !== BigInt(info.numel)) {
      throw new FormatError(
        `legacy checkpoint: storage '${key}' has ${count} elements in the file, ${info.numel} in the pickle`,
      );
    }
    if (position + 8 + length > src.size) {
      throw new FormatError(
        `legacy checkpoint: storage '${key}' needs ${length} bytes at ${position + 8} but the file has ${src.size} (truncated?)`,
      );
    }
    located.set(key, { position: position + 8, length });
    position += 8 + length;
  }
  for (const key of result.records.keys()) {
    if (!located.has(key))
      throw new FormatError(`legacy checkpoint refers to storage '${key}' that it does not contain`);
  }
  return {
    ...result,
    async record(key) {
      const at = located.get(key);
      if (at === undefined) throw new FormatError(`legacy checkpoint has no storage '${key}'`);
      return src.read(at.position, at.length);
    },
  };
}
