/**
 * The one reference harness: results of real PyTorch (Debian's python3-torch) for every
 * reference test, from the generator scripts below.
 *
 * The seed comes from REF_SEED or is drawn fresh, so every run checks shapes and options that no
 * committed fixture has; it is printed, and `REF_SEED=<seed>` reproduces a failure. A generator
 * runs once per seed and per content of its script into test/.generated/ (gitignored): editing a
 * generator regenerates, a stale folder is never read.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';

import { getNumThreads, setNumThreads, tensor, version, type Device, type Tensor } from '../../lib/index.js';
import { parseSafetensors } from '../../lib/io/safetensors.js';
import type { RawTensor } from '../../lib/io/raw.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATED = join(ROOT, 'test/.generated');
/** Debian's python3 has torch; the python3 first on PATH may not. */
export const PYTHON = process.env['REF_PYTHON'] ?? '/usr/bin/python3';

/** Each generator: its script, its extra arguments, and whether the seed changes its output. */
const GENERATORS = {
  ops: { script: 'scripts/gen_reference.py', args: [], seeded: true },
  optim: { script: 'scripts/gen_optim_reference.py', args: [], seeded: true },
  recipes: { script: 'scripts/gen_recipe_reference.py', args: [], seeded: true },
  augment: { script: 'scripts/gen_augment_reference.py', args: [], seeded: true },
  init: { script: 'test/nn/gen_nn_reference.py', args: [], seeded: true },
  blocks: { script: 'scripts/gen_model_reference.py', args: ['--group', 'blocks'], seeded: true },
  nets: { script: 'scripts/gen_model_reference.py', args: ['--group', 'nets'], seeded: true },
  archs: { script: 'scripts/gen_model_reference.py', args: ['--group', 'archs'], seeded: false },
  amp: { script: 'scripts/gen_amp_reference.py', args: [], seeded: true },
  summary: { script: 'scripts/gen_summary_reference.py', args: [], seeded: false },
  preprocess: { script: 'test/preprocess/gen_preprocess_reference.py', args: [], seeded: false },
  sampler: { script: 'scripts/gen_sampler_reference.py', args: [], seeded: true },
} as const;
export type Generator = keyof typeof GENERATORS;

/** Folders of other seeds or scripts go after a day; the networks' (~0.7 GB) after 10 minutes. */
const keepMs = (name: string): number => (name.startsWith('nets-') ? 600_000 : 24 * 3600_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reference {
  generator: Generator;
  seed: number;
  dir: string;
  /** cases.json: the cases and whatever else the generator recorded. */
  meta: Json;
  has(name: string): boolean;
  /**
   * A fresh library tensor. float32 and float64 keep the dtype PyTorch stored (so a reference
   * carries the dtype its run produced) unless `dtype` converts them; integers, bool and
   * float16 are kept. `device` (default the CPU) is where the tensor is made: the inputs of a
   * device-parametrized test (test/helpers/device.ts).
   */
  tensor(
    name: string,
    opts?: { dtype?: 'float32' | 'float64'; requiresGrad?: boolean; device?: Device },
  ): Tensor;
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

function prune(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(GENERATED)) {
    const path = join(GENERATED, name);
    if (path === keep) continue;
    try {
      if (now - statSync(path).mtimeMs > keepMs(name)) rmSync(path, { recursive: true, force: true });
    } catch {
      // another worker removed it first
    }
  }
}

/** Runs the generator (asynchronously: a worker blocked for a minute loses vitest's RPC) unless its folder exists. */
async function generate(gen: Generator, seed: number, extra: string[]): Promise<string> {
  const { script, args } = GENERATORS[gen];
  const path = join(ROOT, script);
  const hash = createHash('sha1')
    .update(readFileSync(path))
    .update(JSON.stringify(extra))
    .update(PYTHON) // another PyTorch gives other float32 results
    .digest('hex')
    .slice(0, 10);
  const dir = join(GENERATED, `${gen}-${seed}-${hash}`);
  if (existsSync(join(dir, 'cases.json'))) return dir;
  mkdirSync(GENERATED, { recursive: true });
  prune(dir);
  // Written aside and renamed, so a parallel worker never reads half a folder.
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await promisify(execFile)(PYTHON, [path, '--out', tmp, '--seed', String(seed), ...args, ...extra], {
      timeout: 300_000,
      maxBuffer: 64 << 20,
    });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(join(dir, 'cases.json'))) return dir; // a parallel worker finished first
    const stderr = (err as { stderr?: Buffer | string }).stderr?.toString() ?? '';
    throw new Error(
      `${script} failed with ${PYTHON} (it needs torch and torchvision: apt-get install python3-torch ` +
        `python3-torchvision, or set REF_PYTHON): ${(err as Error).message}\n${stderr}`,
    );
  }
  return dir;
}

type Typed = Float64Array | Float32Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;

function typed(raw: RawTensor): Typed {
  const copy = new Uint8Array(raw.bytes); // an own, aligned buffer (Buffer#slice would be a view)
  if (raw.dtype === 'float64') return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
  if (raw.dtype === 'float32') return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  if (raw.dtype === 'int64') return new BigInt64Array(copy.buffer, 0, copy.byteLength / 8);
  if (raw.dtype === 'int32') return new Int32Array(copy.buffer, 0, copy.byteLength / 4);
  if (raw.dtype === 'float16') return new Uint16Array(copy.buffer, 0, copy.byteLength / 2);
  if (raw.dtype === 'bool') return copy;
  throw new Error(`unexpected reference dtype ${raw.dtype}`);
}

/**
 * The reference of `gen` for `seed`. REF_SIZE (e.g. 2x3x37x53) sets the networks' input size.
 * When the generator recorded its thread count, the library is set to it for the calling test
 * file: float32 reductions split over threads differently round differently, and the float32
 * checks are per element. Call it at a test file's top level.
 */
export async function loadReference(gen: Generator, seed = referenceSeed()): Promise<Reference> {
  const size = gen === 'nets' ? process.env['REF_SIZE'] : undefined;
  const useSeed = GENERATORS[gen].seeded ? seed : 0;
  const dir = await generate(gen, useSeed, size ? ['--size', size] : []);
  const meta = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Json;
  const file = join(dir, 'reference.safetensors');
  const tensors = existsSync(file)
    ? parseSafetensors(readFileSync(file)).tensors
    : new Map<string, RawTensor>();
  // The networks' folder is large: once read, drop it unless a fixed REF_SEED may ask again.
  if (gen === 'nets' && !process.env['REF_SEED']) rmSync(dir, { recursive: true, force: true });
  const before = getNumThreads();
  if (typeof meta.threads === 'number' && before !== meta.threads) {
    setNumThreads(meta.threads);
    afterAll(() => setNumThreads(before)); // the next test file in this fork gets the default back
  }
  if (typeof meta.torch === 'string' && !meta.torch.startsWith(version.libtorch)) {
    // Said loudly rather than skipped: only the float64 checks are meant to hold across versions.
    console.warn(
      `[reference] PyTorch ${meta.torch} made the reference but the library runs libtorch ${version.libtorch}: ` +
        'the float32 checks expect the same libtorch (bit-identical results) and will fail; float64 is the portable check',
    );
  }
  const seedNote = GENERATORS[gen].seeded ? `seed ${seed} (reproduce with REF_SEED=${seed})` : 'no seed';
  console.log(`[reference] ${gen}: ${seedNote}, PyTorch ${meta.torch}, threads ${getNumThreads()}, ${dir}`);
  return {
    generator: gen,
    seed: useSeed,
    dir,
    meta,
    has: (name) => tensors.has(name),
    tensor(name, opts = {}) {
      const raw = tensors.get(name);
      if (raw === undefined) throw new Error(`reference tensor ${name} missing in ${dir}`);
      const data = typed(raw);
      const device = opts.device ?? 'cpu';
      if (data instanceof BigInt64Array) return tensor(data, { shape: raw.shape, dtype: 'int64', device });
      // int32, bool and float16 (the dtype conversions' results) are kept as PyTorch stored them
      if (data instanceof Int32Array) return tensor(data, { shape: raw.shape, dtype: 'int32', device });
      if (data instanceof Uint8Array) return tensor(data, { shape: raw.shape, dtype: 'bool', device });
      if (data instanceof Uint16Array) return tensor(data, { shape: raw.shape, dtype: 'float16', device });
      return tensor(data, {
        shape: raw.shape,
        dtype: opts.dtype ?? (raw.dtype as 'float32' | 'float64'),
        requiresGrad: opts.requiresGrad ?? false,
        device,
      });
    },
  };
}

/** Lets the worker's event loop run between long synchronous tests (vitest's RPC needs it). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
