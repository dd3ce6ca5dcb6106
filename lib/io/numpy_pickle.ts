/**
 * numpy arrays inside pickles, read as data without running anything: exactly the form that the
 * CIFAR Python batches hold (written by Python 2's cPickle with the numpy of 2009), and nothing
 * else. numpy reduces a C-ordered uint8 array to
 *   numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b')   then BUILD
 *   (1, shape, dtype, False, raw bytes)
 * and its dtype to numpy.dtype('u1', 0, 1) then BUILD (3, '|', None, None, None, -1, -1, 0)
 * (today's numpy writes the two dtype flags as False/True: the same values, accepted too).
 * Every other global, dtype, byte order or layout is refused with a FormatError.
 */
import { FormatError } from './errors.js';
import { unpickle, type UnpickleHooks } from './pickle.js';
import { aTypeName, isTuple, latin1, type PyGlobal } from './py_values.js';

/** A numpy uint8 array read from a pickle: C-ordered bytes and the shape. */
export class NumpyArray {
  /** The array's shape (numpy's `.shape`); empty until BUILD fills it. */
  shape: readonly number[] = [];
  /** The elements, C order (numpy's `.tobytes()`). */
  data: Uint8Array = new Uint8Array(0);
  /** Whether BUILD has filled it (an array never built is refused). */
  built = false;
}

/** numpy.dtype('u1'), the one dtype allowed; `built` once its BUILD state was checked. */
class NumpyDtype {
  built = false;
}

const RECONSTRUCT = 'numpy.core.multiarray._reconstruct';
const NDARRAY = 'numpy.ndarray';
const DTYPE = 'numpy.dtype';

/** A Python 2 str read with encoding='bytes', as text (for comparisons and messages). */
const str = (v: unknown): string | undefined => (v instanceof Uint8Array ? latin1(v) : undefined);

const refuse = (what: string, v: unknown): never => {
  throw new FormatError(`numpy pickle: expected ${what} but received ${describe(v)}`);
};

function describe(v: unknown): string {
  const s = str(v);
  if (s !== undefined) return `'${s.slice(0, 40)}'`;
  if (isTuple(v)) return `a tuple of ${v.length}`;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : aTypeName(v);
}

/** A Python int or bool with numeric value `n` (numpy writes these flags either way). */
const isFlag = (v: unknown, n: 0 | 1): boolean => v === n || v === (n === 1);

function reconstruct(ndarray: PyGlobal, args: readonly unknown[]): NumpyArray {
  const [cls, shape, typecode] = args;
  if (args.length !== 3 || cls !== ndarray) refuse(`_reconstruct(numpy.ndarray, (0,), 'b')`, args);
  if (!isTuple(shape) || shape.length !== 1 || shape[0] !== 0 || str(typecode) !== 'b')
    refuse(`_reconstruct(numpy.ndarray, (0,), 'b')`, args);
  return new NumpyArray();
}

function makeDtype(args: readonly unknown[]): NumpyDtype {
  if (args.length !== 3 || str(args[0]) !== 'u1')
    refuse(`numpy.dtype('u1', 0, 1) (only uint8 arrays are supported)`, args[0]);
  if (!isFlag(args[1], 0) || !isFlag(args[2], 1)) refuse('numpy.dtype(..., 0, 1)', args);
  return new NumpyDtype();
}

function buildDtype(dtype: NumpyDtype, state: unknown): void {
  const expected = `the uint8 dtype state (3, '|', None, None, None, -1, -1, 0)`;
  if (!isTuple(state) || state.length !== 8) return refuse(expected, state);
  const [version, order, sub, names, fields, elsize, align, flags] = state;
  const ok =
    version === 3 &&
    str(order) === '|' &&
    sub === null &&
    names === null &&
    fields === null &&
    elsize === -1 &&
    align === -1 &&
    flags === 0;
  if (!ok) refuse(expected, state);
  dtype.built = true;
}

function buildArray(array: NumpyArray, state: unknown): void {
  if (!isTuple(state) || state.length !== 5)
    return refuse('the array state (1, shape, dtype, False, bytes)', state);
  const [version, shape, dtype, fortran, raw] = state;
  if (version !== 1) refuse('array state version 1', version);
  if (!isTuple(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
    refuse('a shape tuple of non-negative ints', shape);
  if (!(dtype instanceof NumpyDtype) || !dtype.built) refuse('the uint8 dtype', dtype);
  if (fortran !== false) refuse('a C-ordered array (is_fortran False)', fortran);
  if (!(raw instanceof Uint8Array)) return refuse('the raw bytes as a Python 2 str', raw);
  const dims = shape as readonly number[];
  const count = dims.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== count)
    throw new FormatError(
      `numpy pickle: an array of shape (${dims.join(', ')}) needs ${count} bytes but holds ${raw.byteLength}`,
    );
  array.shape = dims;
  array.data = raw;
  array.built = true;
}

/**
 * Unpickles `bytes` (a protocol-2 pickle of plain data and uint8 numpy arrays) as Python 3's
 * `pickle.load(f, encoding='bytes')` would, without importing or calling anything: Python 2
 * strings come out as Uint8Array, dicts as Maps, numpy arrays as NumpyArray.
 */
export function unpickleNumpy(bytes: Uint8Array): unknown {
  const ndarray: PyGlobal = { qualifiedName: NDARRAY };
  const globals: Record<string, PyGlobal> = {
    [RECONSTRUCT]: { qualifiedName: RECONSTRUCT, call: (args) => reconstruct(ndarray, args) },
    [NDARRAY]: ndarray,
    [DTYPE]: { qualifiedName: DTYPE, call: makeDtype },
  };
  const hooks: UnpickleHooks = {
    encoding: 'bytes',
    findGlobal(module, name) {
      const g = globals[`${module}.${name}`];
      if (g === undefined)
        throw new FormatError(
          `numpy pickle: refusing the global ${module}.${name} (only numpy's uint8 arrays and plain data are read; nothing is run)`,
        );
      return g;
    },
    persistentLoad() {
      throw new FormatError('numpy pickle: persistent ids are not part of a numpy pickle');
    },
    build(obj, state) {
      if (obj instanceof NumpyDtype && !obj.built) buildDtype(obj, state);
      else if (obj instanceof NumpyArray && !obj.built) buildArray(obj, state);
      else refuse('BUILD of a numpy array or dtype', obj);
    },
  };
  const { value, end } = unpickle(bytes, hooks);
  if (end !== bytes.byteLength)
    throw new FormatError(`numpy pickle: ${bytes.byteLength - end} bytes follow the pickle's end`);
  return value;
}
