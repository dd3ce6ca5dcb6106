/**
 * Reference tensors from real PyTorch (scripts/gen_reference.py, run by Debian's python3-torch).
 *
 * The seed comes from REF_SEED or is drawn fresh, so every run can check shapes and options that
 * no committed fixture has; it is printed, and `REF_SEED=<seed>` reproduces a failure. The
 * script runs once per seed into test/.generated/ref-<seed>/ (gitignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { tensor, type Tensor } from '../../lib/index.js';
import { parseSafetensors } from '../../lib/io/safetensors.js';
import type { RawTensor } from '../../lib/io/raw.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATED = join(ROOT, 'test/.generated');
/** Debian's python3 has torch; the python3 first on PATH may not. */
const PYTHON = process.env['REF_PYTHON'] ?? '/usr/bin/python3';
const PRUNE_AFTER_MS = 24 * 3600 * 1000;

/** Options as the TypeScript call takes them (JSON null stands for "not given"). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CaseOptions = Record<string, any>;

export interface RefCase {
  op: string;
  index: number;
  options: CaseOptions;
  /** argument name -> tensor name; optional arguments that were not given are absent. */
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** The `g` of `(out * g).sum().backward()`, present when the case has gradients. */
  gradOutput?: string;
  /** input argument name -> tensor name of its gradient. */
  grads?: Record<string, string>;
}

export interface Reference {
  seed: number;
  dir: string;
  cases: RefCase[];
  raw(name: string): RawTensor;
  /** A fresh library tensor (float data converted to `dtype` when given). */
  tensor(name: string, opts?: { dtype?: 'float32' | 'float64'; requiresGrad?: boolean }): Tensor;
}

export function referenceSeed(): number {
  const env = process.env['REF_SEED'];
  if (env !== undefined && env !== '') {
    const seed = Number(env);
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new Error(`REF_SEED must be a non-negative integer, got ${env}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** Runs the generator for `seed` unless its output exists; returns the folder. */
export function generateReference(seed: number): string {
  const dir = join(GENERATED, `ref-${seed}`);
  if (existsSync(join(dir, 'cases.json'))) return dir;
  mkdirSync(GENERATED, { recursive: true });
  pruneOld(dir);
  // Generate aside and rename, so parallel test files asking for the same seed never see half a folder.
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    execFileSync(PYTHON, [join(ROOT, 'scripts/gen_reference.py'), '--out', tmp, '--seed', String(seed)], {
      stdio: ['ignore', 'inherit', 'pipe'],
      timeout: 120_000,
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `scripts/gen_reference.py failed with ${PYTHON} (it needs PyTorch: apt-get install python3-torch, ` +
        `or set REF_PYTHON): ${(err as Error).message}\n${stderr}`,
    );
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'cases.json'))) throw err;
  }
  return dir;
}

/** Drops reference folders of random seeds from earlier days so test/.generated stays small. */
function pruneOld(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(GENERATED)) {
    const path = join(GENERATED, name);
    if (!name.startsWith('ref-') || path === keep) continue;
    try {
      if (now - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another worker pruned it first
    }
  }
}

function toTypedArray(raw: RawTensor): Float64Array | BigInt64Array {
  const copy = new Uint8Array(raw.bytes); // own, aligned buffer (Buffer#slice would be a view)
  if (raw.dtype === 'float64') return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
  if (raw.dtype === 'int64') return new BigInt64Array(copy.buffer, 0, copy.byteLength / 8);
  throw new Error(`reference tensors are float64 or int64, got ${raw.dtype}`);
}

export function loadReference(seed: number = referenceSeed()): Reference {
  const dir = generateReference(seed);
  console.log(`[reference] PyTorch reference seed ${seed} (reproduce with REF_SEED=${seed}), ${dir}`);
  const { tensors } = parseSafetensors(readFileSync(join(dir, 'reference.safetensors')));
  const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: RefCase[] };
  const raw = (name: string): RawTensor => {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`reference tensor ${name} missing in ${dir}`);
    return t;
  };
  return {
    seed,
    dir,
    cases,
    raw,
    tensor(name, opts = {}) {
      const r = raw(name);
      const data = toTypedArray(r);
      if (data instanceof BigInt64Array) return tensor(data, { shape: r.shape, dtype: 'int64' });
      return tensor(data, {
        shape: r.shape,
        dtype: opts.dtype ?? 'float64',
        requiresGrad: opts.requiresGrad ?? false,
      });
    },
  };
}
