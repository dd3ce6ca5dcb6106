/**
 * The public `load` and `save`: state dicts in safetensors files and in PyTorch checkpoints,
 * as libtorch tensors. The file formats themselves live in safetensors*.ts and pth*.ts.
 */
import { open } from 'node:fs/promises';
import { native } from '../binding.js';
import { describe } from '../describe.js';
import { ArgumentError } from '../errors.js';
import { Tensor, wrap } from '../tensor.js';
import { readPthFile, type PthStateDictOptions } from './pth.js';
import type { RawTensor } from './raw.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors_file.js';

/** Tensors by dotted name (`'layer1.0.conv1.weight'`), as `load` returns and `save` takes. */
export type StateDict = Record<string, Tensor>;

/** Options of `load`. */
export interface LoadOptions extends PthStateDictOptions {
  /** Forces the format instead of detecting it from the file's first bytes. */
  format?: 'safetensors' | 'pth';
}

async function detect(path: string): Promise<'safetensors' | 'pth'> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(9);
    const { bytesRead } = await file.read(head, 0, 9, 0);
    // safetensors: an 8-byte header length, then the JSON header's '{'.
    return bytesRead === 9 && head[8] === 0x7b ? 'safetensors' : 'pth';
  } finally {
    await file.close();
  }
}

function toTensor(raw: RawTensor): Tensor {
  return wrap(native.fromBytes(raw.bytes, raw.shape, raw.dtype));
}

/**
 * Reads a state dict, in file order, from a `.safetensors` file or from a checkpoint written
 * by `torch.save(model.state_dict(), path)` (torchvision's published weights are such files).
 * A checkpoint that wraps the state dict ({ model: ..., epoch: 3 }) needs `{ key: 'model' }`.
 * Checkpoints are read by a restricted unpickler: no code in a file ever runs.
 */
export async function load(path: string, options: LoadOptions = {}): Promise<StateDict> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`Expected a file path for path but received ${describe(path)}`);
  }
  const format = options.format ?? (await detect(path));
  const raws =
    format === 'safetensors' ? (await readSafetensorsFile(path)).tensors : await readPthFile(path, options);
  const out: StateDict = {};
  for (const [name, raw] of raws) out[name] = toTensor(raw);
  return out;
}

/** The bytes of a tensor as safetensors stores them (C order, little-endian). */
function toRaw(name: string, t: unknown): RawTensor {
  if (!(t instanceof Tensor))
    throw new ArgumentError(`Expected a Tensor for stateDict['${name}'] but received ${describe(t)}`);
  const data = t.dataSync() as ArrayBufferView;
  return {
    dtype: t.dtype,
    shape: [...t.shape],
    bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/**
 * Writes a state dict as `.safetensors` (readable by PyTorch's safetensors and by `load`),
 * atomically: the file is written beside the target, flushed, then renamed over it, so a
 * crash mid-save leaves the previous file whole.
 */
export async function save(
  stateDict: StateDict | Map<string, Tensor>,
  path: string,
  options: { metadata?: Record<string, string> } = {},
): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ArgumentError(`Expected a file path for path but received ${describe(path)}`);
  }
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new ArgumentError(
      `Expected a state dict (an object of Tensors) for stateDict but received ${describe(stateDict)}`,
    );
  }
  const entries = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
  const raws = entries.map(([name, t]) => [name, toRaw(name, t)] as const);
  await writeSafetensorsFile(path, raws, options.metadata);
}
