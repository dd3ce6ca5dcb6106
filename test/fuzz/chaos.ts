/**
 * The second fuzzing child (run by test/chaos.fuzz.test.ts): cases whose only rule is that
 * each ends in a result or in one of the library's error classes, and that the process
 * survives. Four kinds, drawn at random from FUZZ_SEED:
 * - every native entry point called directly with random arguments (numbers including NaN,
 *   ±Infinity, fractions and absurd sizes; strings; arrays; live, empty, scalar and disposed
 *   tensor handles), past lib/'s checks;
 * - Tensor methods on tensors holding NaN and ±Infinity, and on empty tensors;
 * - concurrent dispose() of inputs, weights and results while forwardAsync/data() run;
 * - load() of a valid weights file with random bytes flipped, cut or inserted.
 * Each case is written to stderr before it runs, so a crash names it. Prints a JSON summary.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResnetNativeError, load, nn, randn, save, tensor, zeros, type Tensor } from '../../lib/index.js';
import { native } from '../../lib/binding.js';
import { handleOf } from '../../lib/tensor.js';
import { Rand } from './values.js';

const SEED = Number(process.env['FUZZ_SEED']);
const CASES = Number(process.env['FUZZ_CASES'] ?? 1000);
const r = new Rand(SEED);
const dir = mkdtempSync(join(tmpdir(), 'rn-chaos-'));
const outside: Record<string, string> = {};
const counts: Record<string, number> = {};

/** Entry points left out: they change the process for every later case, not one call. */
const EXCLUDED = new Set(['init', 'setNumThreads', 'manualSeed', 'setRngState', 'setGradEnabled']);
// Classes (ProgramHandle) are not entry points: called without new, V8 itself throws its
// TypeError; with new and a wrong argument they throw ArgumentError (test/core).
const entries = Object.keys(native).filter(
  (k) =>
    typeof (native as unknown as Record<string, unknown>)[k] === 'function' &&
    !EXCLUDED.has(k) &&
    !/^[A-Z]/.test(k),
);

/** Sizes are small, or absurd (refused, or failing to allocate): never gigabytes that would succeed. */
const int = (): number =>
  r.pick([
    () => r.int(-2, 5),
    () => r.int(-2, 5),
    () => r.pick([2 ** 45, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 62]),
  ])();
const number = (): number =>
  r.pick([int, () => r.fraction(), () => r.pick([NaN, Infinity, -Infinity, 1e300, -0, 5e-324])])();
const tensors = (): Tensor[] => [
  randn([2, 3]),
  zeros([0, 3]),
  tensor([1, NaN, Infinity, -Infinity]),
  zeros([], { dtype: 'int64' }),
  zeros([2, 3, 4, 4]),
  zeros([2], { dtype: 'bool' }),
  randn([3], { requiresGrad: true }),
];

/** A wrapped native object of another class: it must never pass for a tensor handle. */
const programHandle: unknown = (() => {
  const x = randn([2]);
  native.beginCapture([handleOf(x, 'x')], 0);
  const y = x.relu();
  return native.endCapture([handleOf(y, 'y')], 0);
})();

function nativeArg(pool: Tensor[], depth = 0): unknown {
  const kinds: Array<() => unknown> = [
    () => programHandle,
    number,
    number,
    () => handleOf(r.pick(pool), 't'),
    () => handleOf(r.pick(pool), 't'),
    () => r.pick(['cpu', 'cuda', 'cuda:1', 'float32', 'int64', 'bool', 'float16', 'mean', 'sum', r.str()]),
    () => r.pick([true, false, null, undefined, {}, 1n]),
    () => ({ dynamicSlot: number(), value: number() }),
  ];
  if (depth < 2)
    kinds.push(() =>
      Array.from({ length: r.int(0, 4) }, () => (r.next() < 0.7 ? int() : nativeArg(pool, depth + 1))),
    );
  return r.pick(kinds)();
}

async function nativeCase(label: (s: string) => void): Promise<void> {
  const name = r.pick(entries);
  const pool = tensors();
  const gone = randn([2]);
  const goneHandle = handleOf(gone, 'g');
  gone.dispose();
  const args = Array.from({ length: r.int(0, 5) }, () => (r.next() < 0.1 ? goneHandle : nativeArg(pool)));
  label(`native.${name}(${args.map(show).join(', ')})`);
  try {
    const fn = (native as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    const out = fn(...args);
    await Promise.resolve(out).then(dropHandles, (e: unknown) => judge(`native.${name}`, e));
  } catch (e) {
    judge(`native.${name}`, e);
  } finally {
    if (native.isCapturing()) native.abortCapture();
    for (const t of pool) t.dispose();
  }
}

const METHODS = ['add', 'sub', 'mul', 'div', 'pow', 'sum', 'mean', 'max', 'min', 'argmax', 'softmax', 'logSoftmax',
  'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'clamp', 'reshape', 'flatten', 'transpose', 'matmul', 'std', 'var', 'norm',
  'topk', 'sort', 'cumsum', 'unsqueeze', 'squeeze', 'expand', 'narrow', 'select', 'flip', 'repeat', 'to', 'item',
  'dataSync', 'toArray', 'clone', 'detach', 'isnan', 'round', 'abs', 'logsumexp', 'chunk', 'split', 'toString'] as const; // prettier-ignore

async function tensorCase(label: (s: string) => void): Promise<void> {
  const pool = tensors();
  const t = r.pick(pool);
  const method = r.pick(METHODS);
  const args = Array.from({ length: r.int(0, 3) }, () =>
    r.pick([number, () => r.pick(pool), () => Array.from({ length: r.int(0, 3) }, int), () => r.pick(['float64', 'cpu', 'int32'])])(),
  ); // prettier-ignore
  label(`${t.shape}:${t.dtype}.${method}(${args.map(show).join(', ')})`);
  try {
    const fn = (t as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    drop(fn.apply(t, args));
  } catch (e) {
    judge(`Tensor.${method}`, e);
  } finally {
    for (const x of pool) x.dispose();
  }
}

const conv = new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.ReLU()).eval();
async function concurrentCase(label: (s: string) => void): Promise<void> {
  const x = randn([1, 3, 6, 6]);
  const what = r.pick(['input', 'output', 'weights', 'data-source', 'data-result']);
  const delay = r.int(0, 3);
  label(`concurrent dispose of ${what} after ${delay} ticks`);
  const ticks = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((res) => setImmediate(res));
  };
  try {
    if (what.startsWith('data')) {
      const p = x.data();
      await ticks(delay);
      x.dispose();
      await p;
    } else {
      const model = what === 'weights' ? new nn.Conv2d(3, 4, 3).eval() : conv;
      await model.forwardAsync(x).then((y) => y.dispose()); // captured, then replayed
      const p = model.forwardAsync(x);
      await ticks(delay);
      if (what === 'input') x.dispose();
      if (what === 'weights') model.dispose();
      const y = await p;
      if (what === 'output') y.dispose();
      y.dispose();
      if (what === 'weights') await model.forwardAsync(randn([1, 3, 6, 6])).then((z) => z.dispose());
    }
  } catch (e) {
    judge(`concurrent ${what}`, e);
  } finally {
    x.dispose();
  }
}

const valid = join(dir, 'valid.safetensors');
await save({ 'a.weight': randn([4, 3]), 'a.bias': zeros([4], { dtype: 'int64' }) }, valid, {
  metadata: { k: 'v' },
});
const validBytes = readFileSync(valid);
async function fileCase(label: (s: string) => void): Promise<void> {
  const bytes = Buffer.from(validBytes);
  const edits: string[] = [];
  let out: Buffer = bytes;
  for (let i = r.int(1, 4); i > 0; i--) {
    const at = r.int(0, out.length - 1);
    const kind = r.pick(['flip', 'flip', 'cut', 'insert', 'digit']);
    if (kind === 'flip') out[at] = r.int(0, 255);
    if (kind === 'digit') out[at] = r.pick([0x30, 0x39, 0x2d, 0x7d, 0x22, 0x2c]); // JSON's 0 9 - } " ,
    if (kind === 'cut') out = out.subarray(0, at);
    if (kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from([r.int(0, 255)]), out.subarray(at)]);
    edits.push(`${kind}@${at}`);
  }
  const path = join(dir, 'mutated.safetensors');
  writeFileSync(path, out);
  label(`load(mutated: ${edits.join(' ')})`);
  try {
    drop(await load(path, r.next() < 0.3 ? { format: 'pth' } : {}));
  } catch (e) {
    judge('load', e);
  }
}

function judge(where: string, e: unknown): void {
  if (e instanceof ResnetNativeError) return;
  const what = `${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
  outside[`${where}: ${what.replace(/[0-9]+/g, 'N')}`] ??= what;
}
function drop(v: unknown): void {
  if (v !== null && typeof v === 'object') {
    if (typeof (v as Tensor).dispose === 'function') (v as Tensor).dispose();
    else for (const x of Object.values(v)) drop(x);
  }
}
/** A tensor handle (a plain object wrapping a native tensor): isDisposed throws for anything else. */
function isHandle(v: unknown): boolean {
  try {
    native.isDisposed(v as never);
    return true;
  } catch {
    return false;
  }
}
function dropHandles(v: unknown): void {
  if (Array.isArray(v)) v.forEach(dropHandles);
  else if (isHandle(v)) native.dispose(v as never);
}
function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (isHandle(v)) return 'handle';
  if (typeof v === 'number') return String(v);
  if (v instanceof Object && 'shape' in v) return 'Tensor';
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : isHandle(x) ? 'handle' : x)) ?? String(v); // prettier-ignore
  } catch {
    return String(v);
  }
}

const kinds = { native: nativeCase, tensor: tensorCase, concurrent: concurrentCase, file: fileCase };
const start = Date.now();
for (let i = 0; i < CASES; i++) {
  const kind = r.pick(Object.keys(kinds) as Array<keyof typeof kinds>);
  counts[kind] = (counts[kind] ?? 0) + 1;
  await kinds[kind]((s) => process.stderr.write(`case ${i} ${kind}: ${s.slice(0, 400)}\n`));
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ seed: SEED, cases: CASES, counts, ms: Date.now() - start, outside }));
