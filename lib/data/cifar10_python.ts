/**
 * CIFAR-10's Python version (cifar-10-batches-py: data_batch_1 … 5, test_batch, batches.meta),
 * read without Python. Each batch is a protocol-2 pickle of a dict (Python 2 str keys) with
 * `data`, a uint8 numpy array (N, 3072) of RRR…GGG…BBB rows as in the binary version, and
 * `labels`, a list of N ints; numpy_pickle.ts reads it without running anything.
 */
import { readFile } from 'node:fs/promises';
import { FormatError } from '../errors.js';
import { NumpyArray, unpickleNumpy } from '../io/numpy_pickle.js';
import { aTypeName, latin1 } from '../io/py_values.js';

/** One batch: `count` images of 3×32×32 bytes, and their labels. */
export interface CifarBatch {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

const PIXELS = 3 * 32 * 32;

/** The entry `key` of an unpickled dict with Python 2 str (bytes) keys. */
function entry(dict: Map<unknown, unknown>, key: string, path: string): unknown {
  for (const [k, v] of dict) if (k instanceof Uint8Array && latin1(k) === key) return v;
  throw new FormatError(`${path} is not a CIFAR-10 Python batch: it has no '${key}' entry`);
}

async function readDict(path: string): Promise<Map<unknown, unknown>> {
  let value: unknown;
  try {
    value = unpickleNumpy(await readFile(path));
  } catch (err) {
    if (err instanceof FormatError) throw new FormatError(`${path}: ${err.message}`);
    throw err;
  }
  if (!(value instanceof Map))
    throw new FormatError(
      `${path}: expected a pickled dict (a CIFAR-10 Python file) but received ${aTypeName(value)}`,
    );
  return value;
}

/** Reads one CIFAR-10 Python batch file (e.g. data_batch_1) and checks its shape and labels. */
export async function readCifarPythonBatch(path: string, classCount: number): Promise<CifarBatch> {
  const dict = await readDict(path);
  const data = entry(dict, 'data', path);
  const labels = entry(dict, 'labels', path);
  if (!(data instanceof NumpyArray) || !data.built || data.shape.length !== 2 || data.shape[1] !== PIXELS)
    throw new FormatError(
      `${path}: expected 'data' to be a uint8 array of shape (N, ${PIXELS}) but received ${
        data instanceof NumpyArray ? `shape (${data.shape.join(', ')})` : aTypeName(data)
      }`,
    );
  const count = data.shape[0]!;
  if (!Array.isArray(labels) || labels.length !== count)
    throw new FormatError(
      `${path}: expected 'labels' to be a list of ${count} ints but received ${
        Array.isArray(labels) ? `${labels.length} items` : aTypeName(labels)
      }`,
    );
  const out = new Uint8Array(count);
  labels.forEach((y: unknown, i) => {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= classCount)
      throw new FormatError(`${path}: label ${i} is ${String(y)}, expected an int in [0, ${classCount})`);
    out[i] = y;
  });
  return { count, pixels: data.data, labels: out };
}

/** The class names of batches.meta (`label_names`). */
export async function readCifarPythonClassNames(path: string): Promise<string[]> {
  const names = entry(await readDict(path), 'label_names', path);
  if (!Array.isArray(names) || !names.every((n) => n instanceof Uint8Array))
    throw new FormatError(
      `${path}: expected 'label_names' to be a list of strings but received ${aTypeName(names)}`,
    );
  return names.map((n: Uint8Array) => latin1(n));
}
