/**
 * Reference results of blocks and networks from torchvision (scripts/gen_model_reference.py) and
 * of nn.init and layers (test/nn/gen_nn_reference.py), run by Debian's python3 with PyTorch. The seed comes from REF_SEED or is drawn fresh and is
 * printed, so each run checks sizes that no fixture has and any failure can be replayed.
 * Output goes to test/.generated/models-<group>-<seed>-<script hash>/ (gitignored).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { tensor, type Tensor } from '../../lib/index.js';
import { parseSafetensors } from '../../lib/io/safetensors.js';
import type { RawTensor } from '../../lib/io/raw.js';
import { referenceSeed } from '../helpers/reference.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATED = join(ROOT, 'test/.generated');
const MODEL_SCRIPT = join(ROOT, 'scripts/gen_model_reference.py');
/** nn.init and layer references (small; JSON only). */
const NN_SCRIPT = join(ROOT, 'test/nn/gen_nn_reference.py');
const PYTHON = process.env['REF_PYTHON'] ?? '/usr/bin/python3';

export type Group = 'blocks' | 'nets' | 'archs' | 'init';
export type FloatKind = 'float32' | 'float64';
export const TOLERANCES = JSON.parse(
  readFileSync(new URL('./tolerances.json', import.meta.url), 'utf8'),
) as Record<FloatKind | 'fingerprintSum', { rel: number }> & { float32VsTorchFloat32: { factor: number } };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ModelReference {
  seed: number;
  dir: string;
  meta: Json;
  has(name: string): boolean;
  /** A fresh tensor: floats converted to `dtype`, int64 kept. */
  tensor(name: string, dtype?: FloatKind, requiresGrad?: boolean): Tensor;
}

/** Reference folders of other seeds: the nets ones are ~0.5 GB, so they go after 10 minutes. */
function prune(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(GENERATED)) {
    const path = join(GENERATED, name);
    if (!name.startsWith('models-') || path === keep) continue;
    const maxAge = name.startsWith('models-nets-') ? 600_000 : 24 * 3600_000;
    try {
      if (now - statSync(path).mtimeMs > maxAge) rmSync(path, { recursive: true, force: true });
    } catch {
      // another worker removed it first
    }
  }
}

/** Runs the script (asynchronously: a worker blocked for a minute loses vitest's RPC). */
async function generate(group: Group, seed: number, size: string | undefined): Promise<string> {
  const script = group === 'init' ? NN_SCRIPT : MODEL_SCRIPT;
  const hash = createHash('sha1').update(readFileSync(script)).digest('hex').slice(0, 10);
  const dir = join(
    GENERATED,
    `models-${group}-${group === 'archs' ? 0 : seed}${size ? `-${size}` : ''}-${hash}`,
  );
  if (existsSync(join(dir, 'cases.json'))) return dir;
  mkdirSync(GENERATED, { recursive: true });
  prune(dir);
  // Written aside and renamed, so a parallel worker never reads half a folder.
  const tmp = `${dir}.tmp-${process.pid}`;
  const args = [script, '--out', tmp, '--seed', String(seed)];
  if (group !== 'init') args.push('--group', group, ...(size ? ['--size', size] : []));
  try {
    await promisify(execFile)(PYTHON, args, { timeout: 300_000, maxBuffer: 64 << 20 });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(join(dir, 'cases.json'))) return dir;
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `${script} failed with ${PYTHON} (it needs torch and torchvision; set REF_PYTHON): ${(err as Error).message}\n${stderr}`,
    );
  }
  return dir;
}

function typed(raw: RawTensor): Float64Array | Float32Array | BigInt64Array {
  const copy = new Uint8Array(raw.bytes); // an own, aligned buffer
  if (raw.dtype === 'float64') return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
  if (raw.dtype === 'float32') return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  if (raw.dtype === 'int64') return new BigInt64Array(copy.buffer, 0, copy.byteLength / 8);
  throw new Error(`unexpected reference dtype ${raw.dtype}`);
}

export async function loadModelReference(group: Group, seed = referenceSeed()): Promise<ModelReference> {
  const size = group === 'nets' ? process.env['REF_SIZE'] : undefined;
  const dir = await generate(group, seed, size);
  const seedNote = group === 'archs' ? 'no seed' : `seed ${seed} (reproduce with REF_SEED=${seed})`;
  console.log(`[model reference] ${group}: ${seedNote}, ${dir}`);
  const file = join(dir, 'reference.safetensors');
  const tensors = existsSync(file)
    ? parseSafetensors(readFileSync(file)).tensors
    : new Map<string, RawTensor>();
  const meta = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Json;
  // The networks' folder is ~0.5 GB: once read, drop it unless a fixed REF_SEED may ask again.
  if (group === 'nets' && !process.env['REF_SEED']) rmSync(dir, { recursive: true, force: true });
  return {
    seed,
    dir,
    meta,
    has: (name) => tensors.has(name),
    tensor(name, dtype = 'float64', requiresGrad = false) {
      const raw = tensors.get(name);
      if (raw === undefined) throw new Error(`reference tensor ${name} missing in ${dir}`);
      const data = typed(raw);
      if (data instanceof BigInt64Array) return tensor(data, { shape: raw.shape });
      return tensor(data, { shape: raw.shape, dtype, requiresGrad });
    },
  };
}

/** Worst relative errors seen per label (ours, and PyTorch float32's own), printed by `printWorst`. */
const worst = new Map<string, [number, number]>();

/** ||a - e||_2 / ||e||_2, computed in float64. */
export function relErr(actual: Tensor, expected: Tensor): number {
  const a = (actual.dtype === 'float64' ? actual : actual.to('float64')).dataSync() as Float64Array;
  const e = (expected.dtype === 'float64' ? expected : expected.to('float64')).dataSync() as Float64Array;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < e.length; i++) {
    const d = a[i]! - e[i]!;
    diff += d * d;
    norm += e[i]! * e[i]!;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
}

/**
 * Asserts `actual` ≈ `expected` (int64: exactly). Float64 within 1e-10. Float32 within 1e-4, or
 * within a small factor of the error PyTorch's own float32 run has on the same case
 * (`torch32`), where that is larger: float32 can do no better than its rounding allows.
 */
export function expectRel(
  actual: Tensor,
  expected: Tensor,
  kind: FloatKind,
  label: string,
  group: string,
  torch32 = 0,
): number {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`${label}: shape [${actual.shape.join(', ')}], reference [${expected.shape.join(', ')}]`);
  }
  const exact = expected.dtype === 'int64';
  const err = exact
    ? relErr(actual.to('float64'), expected.to('float64')) === 0
      ? 0
      : Infinity
    : relErr(actual, expected);
  const key = `${group} ${kind}`;
  const [w, t] = worst.get(key) ?? [0, 0];
  worst.set(key, [Math.max(w, err), Math.max(t, kind === 'float32' ? torch32 : 0)]);
  const tol = exact
    ? 0
    : kind === 'float64'
      ? TOLERANCES.float64.rel
      : Math.max(TOLERANCES.float32.rel, TOLERANCES.float32VsTorchFloat32.factor * torch32);
  if (!(err <= tol)) {
    throw new Error(
      `${label} (${kind}): relative error ${err.toExponential(3)} > ${tol.toExponential(3)} (PyTorch float32: ${torch32.toExponential(3)})`,
    );
  }
  return err;
}

export function printWorst(title: string): void {
  const rows = [...worst].map(
    ([k, [v, t]]) =>
      `  ${k.padEnd(44)} ${v.toExponential(2)}${k.endsWith('float32') ? `   (PyTorch float32 ${t.toExponential(2)})` : ''}`,
  );
  console.log(`[model reference] worst relative errors, ${title}:\n${rows.join('\n')}`);
}

/** Lets the worker's event loop run between long synchronous tests (vitest's RPC needs it). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
