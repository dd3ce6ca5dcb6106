/**
 * What a torch.save pickle may contain, on top of plain data: the allowlist of globals (as
 * torch.load(weights_only=True) has), storage references (persistent ids) and tensor rebuilds.
 *
 * Unpickling is synchronous but storages live in the container (zip records, or after the
 * pickle in the legacy format), so a rebuild returns a RawTensor whose bytes are filled in later
 * by `materialize` (strided.ts), which reads only the storages that the wanted tensors use.
 */
import { FormatError } from './errors.js';
import { unpickle, type UnpickleHooks } from './pickle.js';
import { isTuple, aTypeName, typeName, type PyGlobal } from './py_values.js';
import { numelOf, type DType, type RawTensor } from './raw.js';
import { EMPTY, fmt, type PendingView, type StorageRef } from './strided.js';

export { BASE_COPY_BUDGET, materialize, type StorageRef } from './strided.js';

/** torch.<Name>Storage → dtype. */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, DType>> = Object.freeze({
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
});

/** torch dtypes pickled as globals (torch.float32 reduces to the global `torch.float32`). */
// prettier-ignore
const TORCH_DTYPE_NAMES = new Set([
  'float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
  'double', 'float', 'half', 'long', 'int', 'short',
]);

/** An allowed-but-unknown global (`allowGlobals`), kept as inert data: never constructed. */
export class PickledObject {
  state: unknown = undefined;
  constructor(
    readonly qualifiedName: string,
    readonly args: readonly unknown[],
  ) {}
}

/**
 * An `argparse.Namespace` (the `args` of torchvision's train.py checkpoints), read as the plain
 * record of its attributes. Nothing is constructed or run: the pickle's NEWOBJ makes an empty
 * record and its BUILD fills the attributes from their dict, which may hold only plain data.
 */
export class Namespace {
  /** The attributes (Python's `vars(args)`), in the file's order. */
  readonly fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
}

export interface TorchUnpickleResult {
  root: unknown;
  /** Tensors whose bytes are still to be read; `materialize` removes what it fills. */
  pending: Map<RawTensor, PendingView>;
  /** Every storage record the pickle refers to, in order of first reference. */
  records: Map<string, { dtype: DType; numel: number }>;
}

export function unpickleTorch(
  data: Uint8Array,
  options: { allowGlobals?: readonly string[] | undefined; start?: number } = {},
): TorchUnpickleResult & { end: number } {
  const pending = new Map<RawTensor, PendingView>();
  const records = new Map<string, { dtype: DType; numel: number }>();
  const allowed = new Set(options.allowGlobals ?? []);
  const fn = (qualifiedName: string, call: (args: readonly unknown[]) => unknown): PyGlobal => ({
    qualifiedName,
    call,
  });
  const asTensor = (v: unknown, what: string): RawTensor => {
    if (typeof v === 'object' && v !== null && pending.has(v as RawTensor)) return v as RawTensor;
    throw new FormatError(`${what}: expected a tensor but received ${aTypeName(v)}`);
  };
  const rebuild = (args: readonly unknown[]): RawTensor => {
    const [storage, offset, size, stride] = args;
    if (!isStorageRef(storage))
      throw new FormatError(`_rebuild_tensor_v2: expected a storage but received ${aTypeName(storage)}`);
    const shape = intTuple(size, '_rebuild_tensor_v2: size');
    const strides = intTuple(stride, '_rebuild_tensor_v2: stride');
    if (strides.length !== shape.length) {
      throw new FormatError(
        `_rebuild_tensor_v2: size ${fmt(shape)} and stride ${fmt(strides)} differ in length`,
      );
    }
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw new FormatError(
        `_rebuild_tensor_v2: expected storage_offset to be a non-negative integer but received ${String(offset)}`,
      );
    }
    if (numelOf(shape) === null)
      throw new FormatError(`_rebuild_tensor_v2: size ${fmt(shape)} has too many elements`);
    const t: RawTensor = { dtype: storage.dtype, shape, bytes: EMPTY };
    pending.set(t, { storage, offset, size: shape, stride: strides });
    return t;
  };
  const hooks: UnpickleHooks = {
    findGlobal(module, name) {
      const q = `${module}.${name}`;
      if (q === 'collections.OrderedDict') return fn(q, orderedDict);
      if (q === 'torch._utils._rebuild_tensor_v2' || q === 'torch._utils._rebuild_tensor')
        return fn(q, rebuild);
      if (q === 'torch._utils._rebuild_parameter' || q === 'torch._utils._rebuild_parameter_with_state') {
        return fn(q, (args) => asTensor(args[0], name));
      }
      if (module === 'torch') {
        const dtype = TORCH_STORAGE_DTYPES[name];
        if (dtype !== undefined) return { qualifiedName: q, storageDtype: dtype } as PyGlobal;
        if (name.endsWith('Storage')) {
          throw new FormatError(
            `unsupported storage type ${q}: supported dtypes are ${Object.keys(TORCH_STORAGE_DTYPES).join(', ')}`,
          );
        }
        if (name === 'Size') return fn(q, (args) => Object.freeze([...intTuple(args[0], 'torch.Size')]));
        if (name === 'device') return fn(q, (args) => args.map(String).join(':'));
        if (TORCH_DTYPE_NAMES.has(name)) return { qualifiedName: q };
      }
      if (q === '_codecs.encode') return fn(q, codecsEncode); // how protocol 2 pickles bytes
      if (q === 'argparse.Namespace') {
        return fn(q, (args) => {
          if (args.length !== 0)
            throw new FormatError(`argparse.Namespace: expected no arguments but received ${args.length}`);
          return new Namespace();
        });
      }
      if (allowed.has(q)) return fn(q, (args) => new PickledObject(q, args));
      throw new FormatError(
        `refusing to load global '${q}' from the pickle: a checkpoint may hold only tensors, storages, dicts, ` +
          `OrderedDict, argparse.Namespace, lists, tuples, numbers and strings, and nothing in it is ever run. ` +
          `(Other plain-data classes can be kept as inert placeholders with { allowGlobals: ['module.Name'] }.)`,
      );
    },
    persistentLoad(pid) {
      const ref = storageRef(pid);
      const known = records.get(ref.key);
      if (known === undefined) records.set(ref.key, { dtype: ref.dtype, numel: ref.recordNumel });
      else if (known.dtype !== ref.dtype || known.numel !== ref.recordNumel) {
        throw new FormatError(
          `storage '${ref.key}' is referred to both as ${known.numel} ${known.dtype} and as ${ref.recordNumel} ${ref.dtype}`,
        );
      }
      return ref;
    },
    build(obj, state) {
      // OrderedDict state is its __dict__, i.e. state_dict()'s `_metadata` (module versions): ignored.
      if (obj instanceof Map && (state === null || state instanceof Map)) return;
      if (obj instanceof PickledObject) {
        obj.state = state;
        return;
      }
      if (obj instanceof Namespace) {
        if (!(state instanceof Map))
          throw new FormatError(
            `argparse.Namespace: expected a dict of attributes but received ${aTypeName(state)}`,
          );
        for (const [k, v] of state) {
          if (typeof k !== 'string')
            throw new FormatError(
              `argparse.Namespace: expected string attribute names but received ${aTypeName(k)}`,
            );
          obj.fields[k] = v;
        }
        return;
      }
      throw new FormatError(`BUILD (setting the state of an object) on ${aTypeName(obj)} is not allowed`);
    },
  };
  const { value, end } = unpickle(data, hooks, options.start ?? 0);
  return { root: value, pending, records, end };
}

function orderedDict(args: readonly unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  if (args.length === 0) return map;
  const [items] = args;
  if (!Array.isArray(items))
    throw new FormatError(`OrderedDict: expected a list of pairs but received ${aTypeName(items)}`);
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new FormatError('OrderedDict: expected (key, value) pairs');
    map.set(pair[0], pair[1]);
  }
  return map;
}

function codecsEncode(args: readonly unknown[]): Uint8Array {
  const [s, encoding] = args;
  if (typeof s !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
    throw new FormatError(
      `_codecs.encode: only (str, 'latin1') is allowed, received (${typeName(s)}, ${String(encoding)})`,
    );
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new FormatError('_codecs.encode: string is not latin-1');
    out[i] = c;
  }
  return out;
}

/** Zip format: ('storage', StorageType, key, location, numel). Legacy adds view metadata. */
function storageRef(pid: unknown): StorageRef {
  if (!isTuple(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw new FormatError(
      `persistent id: expected ('storage', type, key, location, numel) but received ${aTypeName(pid)}`,
    );
  }
  const [, type, key, , numel, view] = pid;
  const dtype = (type as { storageDtype?: DType } | null)?.storageDtype;
  if (dtype === undefined)
    throw new FormatError(`persistent id: expected a storage type but received ${aTypeName(type)}`);
  if (typeof key !== 'string' || !isCount(numel)) {
    throw new FormatError(
      `persistent id: expected a string key and an element count but received ${typeName(key)}, ${typeName(numel)}`,
    );
  }
  if (view === undefined || view === null) return { key, dtype, elementOffset: 0, numel, recordNumel: numel };
  // Legacy storage views (PyTorch < 0.4): (view_key, offset, view_size) into storage `key`.
  if (
    !isTuple(view) ||
    view.length !== 3 ||
    !isCount(view[1]) ||
    !isCount(view[2]) ||
    view[1] + view[2] > numel
  ) {
    throw new FormatError(`persistent id: malformed storage view of '${key}'`);
  }
  return { key, dtype, elementOffset: view[1], numel: view[2], recordNumel: numel };
}

function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && 'elementOffset' in v && 'key' in v;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function intTuple(v: unknown, what: string): number[] {
  if (!isTuple(v) || !v.every(isCount)) {
    throw new FormatError(`${what}: expected a tuple of non-negative integers but received ${aTypeName(v)}`);
  }
  return [...(v as readonly number[])];
}
