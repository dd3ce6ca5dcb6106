/**
 * PyTorch checkpoints written by torch.save: the zip format (PyTorch >= 1.6, and torchvision's
 * published weights such as resnet50-0676ba61.pth) and the legacy format (pth_legacy.ts).
 *
 * The zip holds `<prefix>/data.pkl` (the pickled object, tensors as persistent references to
 * storages), `<prefix>/data/<key>` (one record of raw bytes per storage), and optionally
 * `<prefix>/byteorder` ("little"/"big", written by PyTorch >= 2.1).
 */
import { FormatError, withContext } from './errors.js';
import { bufferSource, withFileSource, type ByteSource } from './file.js';
import { readLegacy } from './pth_legacy.js';
import { aTypeName, typeName } from './py_values.js';
import { DTYPE_SIZE, type DType, type RawTensor } from './raw.js';
import { BASE_COPY_BUDGET, materialize, unpickleTorch, type TorchUnpickleResult } from './torch_pickle.js';
import { looksLikeZip, readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

export interface PthOptions {
  /**
   * Globals to keep as inert `PickledObject` placeholders instead of refusing the file (their
   * code never runs), e.g. ['argparse.Namespace'] for checkpoints of torchvision's training
   * scripts, which store their command-line arguments next to the model.
   */
  allowGlobals?: readonly string[];
}

export interface PthStateDictOptions extends PthOptions {
  /** The entry holding the state dict in a wrapping checkpoint, e.g. 'model' for {'model': ..., 'epoch': 3}. */
  key?: string;
}

/** An unpickled checkpoint: its object and a way to fill in the bytes of the tensors wanted. */
export interface Checkpoint extends TorchUnpickleResult {
  record(key: string, dtype: DType): Promise<Uint8Array>;
}

export async function openCheckpoint(src: ByteSource, options: PthOptions = {}): Promise<Checkpoint> {
  const head = await src.read(0, Math.min(16, src.size));
  if (src.size === 0) throw new FormatError('not a PyTorch checkpoint: the file is empty');
  if (looksLikeZip(head)) return openZip(src, options);
  if (head[0] === 0x80) return readLegacy(src, options); // a pickle: legacy torch.save
  const tarMagic = src.size >= 262 ? await src.read(257, 5) : new Uint8Array(0);
  if (String.fromCharCode(...tarMagic) === 'ustar') {
    throw new FormatError(
      'this is a tar-format checkpoint (PyTorch < 0.1.10), which is not supported; re-save it with a recent torch.save',
    );
  }
  if (head.byteLength >= 9 && head[8] === 0x7b) {
    throw new FormatError(
      'this looks like a safetensors file, not a PyTorch checkpoint (read it as .safetensors)',
    );
  }
  throw new FormatError(
    'not a PyTorch checkpoint: expected a zip archive (torch.save) or a pickle (legacy torch.save)',
  );
}

async function openZip(src: ByteSource, options: PthOptions): Promise<Checkpoint> {
  const entries = new Map<string, ZipEntry>();
  for (const e of await readZipDirectory(src)) {
    if (entries.has(e.name)) throw new FormatError(`zip: entry '${e.name}' appears twice`);
    entries.set(e.name, e);
  }
  const prefix = findPrefix([...entries.keys()]);
  const pkl = entries.get(`${prefix}data.pkl`);
  if (pkl === undefined) {
    if (
      entries.has(`${prefix}constants.pkl`) ||
      [...entries.keys()].some((n) => n.startsWith(`${prefix}code/`))
    ) {
      throw new FormatError(
        'this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save model.state_dict() with torch.save',
      );
    }
    throw new FormatError(`zip has no '${prefix}data.pkl': not a torch.save checkpoint`);
  }
  let bigEndian = false;
  const order = entries.get(`${prefix}byteorder`);
  if (order !== undefined) {
    const text = new TextDecoder().decode(await readZipEntry(src, order));
    if (text !== 'little' && text !== 'big')
      throw new FormatError(`'${prefix}byteorder' holds '${text.slice(0, 20)}', expected 'little' or 'big'`);
    bigEndian = text === 'big';
  }
  const result = unpickleTorch(await readZipEntry(src, pkl), options);
  // Check every storage against the directory now: a dangling reference fails before any read.
  for (const [key, { dtype, numel }] of result.records) {
    const entry = entries.get(`${prefix}data/${key}`);
    if (entry === undefined)
      throw new FormatError(
        `the pickle refers to storage '${key}' but the zip has no entry '${prefix}data/${key}'`,
      );
    if (entry.size !== numel * DTYPE_SIZE[dtype]) {
      throw new FormatError(
        `storage '${key}': expected ${numel} elements of ${dtype} (${numel * DTYPE_SIZE[dtype]} bytes) but '${entry.name}' has ${entry.size} bytes`,
      );
    }
  }
  return {
    ...result,
    async record(key, dtype) {
      const entry = entries.get(`${prefix}data/${key}`);
      if (entry === undefined) throw new FormatError(`the zip has no entry '${prefix}data/${key}'`);
      const bytes = await readZipEntry(src, entry);
      return bigEndian ? swapBytes(bytes.slice(), DTYPE_SIZE[dtype]) : bytes; // slice: never write into a caller's buffer
    },
  };
}

/** torch's reader takes the folder of the first entry as the archive's name; so do we. */
function findPrefix(names: readonly string[]): string {
  const first = names[0];
  if (first === undefined) throw new FormatError('zip archive is empty: not a torch.save checkpoint');
  const slash = first.indexOf('/');
  if (slash < 0)
    throw new FormatError(`zip entry '${first}' is not inside a folder: not a torch.save checkpoint`);
  return first.slice(0, slash + 1);
}

/** Big-endian storages become little-endian, in place. */
export function swapBytes(bytes: Uint8Array, elementSize: number): Uint8Array {
  for (let i = 0; i + elementSize <= bytes.byteLength; i += elementSize)
    bytes.subarray(i, i + elementSize).reverse();
  return bytes;
}

/** Copies of strided views may total 4x the file plus 1 GiB: far above any real checkpoint. */
function copyBudget(src: ByteSource): number {
  return BASE_COPY_BUDGET + 4 * src.size;
}

/** The whole unpickled object with every tensor filled in (dicts are Maps, tuples frozen arrays). */
export async function loadCheckpoint(src: ByteSource, options: PthOptions = {}): Promise<unknown> {
  const ckpt = await openCheckpoint(src, options);
  await materialize([...ckpt.pending.keys()], ckpt.pending, ckpt.record, copyBudget(src));
  return ckpt.root;
}

/**
 * The state dict in a checkpoint, in file order. A flat dict of tensors is returned as is; a
 * wrapping checkpoint ({'model': state_dict, 'epoch': 3, ...}) needs `key`: there is no guessing,
 * since training scripts often save several state dicts (model, model_ema, optimizer) side by
 * side. Only the chosen tensors' storages are read.
 */
export async function loadStateDict(
  src: ByteSource,
  options: PthStateDictOptions = {},
): Promise<Map<string, RawTensor>> {
  const ckpt = await openCheckpoint(src, options);
  const dict = selectStateDict(ckpt.root, options.key, (v) => ckpt.pending.has(v as RawTensor));
  await materialize(dict.values(), ckpt.pending, ckpt.record, copyBudget(src));
  return dict;
}

function selectStateDict(
  root: unknown,
  key: string | undefined,
  isTensor: (v: unknown) => boolean,
): Map<string, RawTensor> {
  if (!(root instanceof Map))
    throw new FormatError(
      `expected the checkpoint to hold a dict of tensors but it holds ${aTypeName(root)}`,
    );
  const isStateDict = (v: unknown): v is Map<unknown, unknown> =>
    v instanceof Map && [...v.values()].every(isTensor);
  let dict: Map<unknown, unknown> = root;
  let where = 'the checkpoint';
  if (key !== undefined) {
    if (!root.has(key)) {
      const keys = [...root.keys()].map((k) => `'${String(k)}'`).join(', ');
      throw new FormatError(`the checkpoint has no entry '${key}'; its entries are ${keys || '(none)'}`);
    }
    dict = root.get(key) as Map<unknown, unknown>;
    where = `checkpoint entry '${key}'`;
    if (!(dict instanceof Map))
      throw new FormatError(`${where} is ${aTypeName(dict)}, not a dict of tensors`);
  } else if (!isStateDict(root)) {
    const candidates = [...root.entries()].filter(
      ([k, v]) => typeof k === 'string' && v instanceof Map && v.size > 0 && isStateDict(v),
    );
    if (candidates.length > 0) {
      const names = candidates.map(([k]) => `'${String(k)}'`);
      const which = names.length === 1 ? `entry ${names.join('')} holds` : `entries ${names.join(', ')} hold`;
      throw new FormatError(
        `the checkpoint wraps its state dict: ${which} tensors; pass { key: ${names[0] ?? ''} } to pick one`,
      );
    }
  }
  const out = new Map<string, RawTensor>();
  for (const [k, v] of dict) {
    if (typeof k !== 'string')
      throw new FormatError(`${where} has a key of type ${typeName(k)}; state dict keys are strings`);
    if (!isTensor(v)) throw new FormatError(`${where}: entry '${k}' is ${aTypeName(v)}, not a tensor`);
    out.set(k, v as RawTensor);
  }
  return out;
}

function inFile<T>(path: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  return withFileSource(path, fn).catch((err: unknown) => {
    throw err instanceof FormatError ? withContext(path, err) : err;
  });
}

/** `torch.load(path)`'s object, restricted to plain data and tensors. */
export function readPthObject(path: string, options: PthOptions = {}): Promise<unknown> {
  return inFile(path, (src) => loadCheckpoint(src, options));
}

/** The state dict of a `torch.save(model.state_dict(), path)` file, or of entry `options.key`. */
export function readPthFile(
  path: string,
  options: PthStateDictOptions = {},
): Promise<Map<string, RawTensor>> {
  return inFile(path, (src) => loadStateDict(src, options));
}

/** In-memory variant of readPthFile (tensor bytes may be views into `buf`). */
export function parsePth(
  buf: Uint8Array,
  options: PthStateDictOptions = {},
): Promise<Map<string, RawTensor>> {
  return loadStateDict(bufferSource(buf), options);
}
