/**
 * Shared by the weight-file tests: runs scripts/gen_io_fixtures.py (Debian's Python, which has
 * torch) into a temporary folder and compares what our readers return with what PyTorch wrote
 * down in its manifest. Nothing expected is hard-coded here: PyTorch is the reference.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { RawTensor } from '../../lib/io/raw.js';

export const PYTHON = '/usr/bin/python3';
export const SCRIPT = fileURLToPath(new URL('../../scripts/gen_io_fixtures.py', import.meta.url));
const run = promisify(execFile);

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  nbytes: number;
  sha256: string;
  values?: string[];
}

export interface FileEntry {
  tensors: TensorEntry[];
  metadata?: Record<string, string>;
  key?: string;
  [extra: string]: unknown;
}

export interface Manifest {
  torch: string;
  safetensors: Record<string, FileEntry>;
  pth: Record<string, FileEntry>;
  missing_storage: { file: string; entry: string };
  malicious: Array<{ file: string; global: string; marker: string; torch_load_runs_payload?: boolean }>;
}

export interface Fixtures {
  dir: string;
  manifest: Manifest;
  path(name: string): string;
  cleanup(): Promise<void>;
}

export async function generateFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'resnet-native-io-'));
  await run(PYTHON, [SCRIPT, dir], { timeout: 180_000, maxBuffer: 1 << 24 });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  return {
    dir,
    manifest,
    path: (name) => join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs the script's --check mode on a safetensors file we wrote; resolves to its JSON report. */
export async function pythonCheck(
  file: string,
  expectedJson: string,
): Promise<{ ok: boolean; problems: string[] }> {
  try {
    const { stdout } = await run(PYTHON, [SCRIPT, '--check', file, expectedJson], { timeout: 120_000 });
    return JSON.parse(stdout) as { ok: boolean; problems: string[] };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    if (e.stdout) return JSON.parse(e.stdout) as { ok: boolean; problems: string[] };
    throw new Error(`python --check failed: ${e.stderr ?? String(err)}`);
  }
}

/** Asserts that `actual` holds exactly the tensors of `expected`, in the same order. */
export function expectTensors(actual: Map<string, RawTensor>, expected: readonly TensorEntry[]): void {
  expect([...actual.keys()]).toEqual(expected.map((e) => e.name));
  for (const e of expected) expectTensor(actual.get(e.name), e);
}

export function expectTensor(t: RawTensor | undefined, e: TensorEntry): void {
  expect(t, e.name).toBeDefined();
  if (t === undefined) return;
  expect({ name: e.name, dtype: t.dtype, shape: t.shape, nbytes: t.bytes.byteLength }).toEqual({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    nbytes: e.nbytes,
  });
  expect(createHash('sha256').update(t.bytes).digest('hex'), `${e.name} bytes`).toBe(e.sha256);
  if (e.values !== undefined) expect(decode(t), `${e.name} values`).toEqual(e.values.map(normalize(t.dtype)));
}

/** Python writes values as strings (ints exact, floats by repr, 'nan'/'inf'); read them alike. */
function normalize(dtype: string): (s: string) => string {
  return (s) => {
    if (dtype.startsWith('int') || dtype === 'uint8' || dtype === 'bool') return BigInt(s).toString();
    const v = s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
    return Object.is(v, -0) ? '-0' : String(v);
  };
}

/** Element values as strings, decoded independently of the reader under test. */
export function decode(t: RawTensor): string[] {
  const dv = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out: string[] = [];
  const size = {
    float64: 8,
    float32: 4,
    float16: 2,
    bfloat16: 2,
    int64: 8,
    int32: 4,
    int16: 2,
    int8: 1,
    uint8: 1,
    bool: 1,
  }[t.dtype];
  for (let i = 0; i < t.bytes.byteLength; i += size) {
    let v: number | bigint;
    switch (t.dtype) {
      case 'float64':
        v = dv.getFloat64(i, true);
        break;
      case 'float32':
        v = dv.getFloat32(i, true);
        break;
      case 'float16':
        v = half(dv.getUint16(i, true));
        break;
      case 'bfloat16':
        v = new Float32Array(new Uint32Array([dv.getUint16(i, true) << 16]).buffer)[0] ?? NaN;
        break;
      case 'int64':
        v = dv.getBigInt64(i, true);
        break;
      case 'int32':
        v = dv.getInt32(i, true);
        break;
      case 'int16':
        v = dv.getInt16(i, true);
        break;
      case 'int8':
        v = dv.getInt8(i);
        break;
      default:
        v = dv.getUint8(i); // uint8, bool
    }
    out.push(typeof v === 'number' && Object.is(v, -0) ? '-0' : String(v));
  }
  return out;
}

function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A small deterministic PRNG (mulberry32) so corruption tests fail reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Copies `buf` with a few random bytes changed, or cut at a random length. */
export function corrupt(buf: Uint8Array, rand: () => number): Uint8Array {
  if (rand() < 0.2) return buf.subarray(0, Math.floor(rand() * buf.byteLength));
  const out = new Uint8Array(buf); // a copy (Buffer.prototype.slice would return a view)
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) {
    // Bias towards the first and last bytes, where headers, pickles and zip directories are.
    const r = rand();
    const span = Math.min(out.byteLength, 1024);
    const at =
      r < 1 / 3
        ? Math.floor(rand() * span)
        : r < 2 / 3
          ? out.byteLength - 1 - Math.floor(rand() * span)
          : Math.floor(rand() * out.byteLength);
    out[at] = Math.floor(rand() * 256);
  }
  return out;
}
