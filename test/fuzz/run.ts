/**
 * The fuzzing itself, run as a child process by test/errors.fuzz.test.ts so that a crash of the
 * addon is reported with this file's name and the seed instead of killing vitest's worker.
 * Before each call it writes the call to stderr (synchronous on pipes), so the parent can name
 * the call a crash happened in. It prints its summary as JSON on the last line of stdout.
 */
import { ResnetNativeError, type Tensor } from '../../lib/index.js';
import { Fx, SPECS, type Spec } from './specs.js';
import { Rand } from './values.js';

const SEED = Number(process.env['FUZZ_SEED']);
const CALLS = Number(process.env['FUZZ_CALLS'] ?? 3000);
/** About 3.5 s for 20,000 calls on 2 idle cores: room for a loaded machine. */
const BUDGET_MS = 20_000;

/** A value as the report shows it (JSON, with what JSON cannot hold spelled out). */
function show(v: unknown): string {
  const spell = (x: unknown): unknown => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'symbol' || typeof x === 'function') return String(x);
    if (x instanceof Float32Array) return `Float32Array(${x.length})`;
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    return x;
  };
  return JSON.stringify(spell(v), (_k, x: unknown) => spell(x)) ?? String(v);
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What is wrong with the outcome of one wrong call, or null when it threw as it must. */
function check(spec: Spec, bad: unknown): string | null {
  const f = new Fx();
  try {
    const result = spec.call(f, bad);
    if (result !== null && typeof result === 'object' && 'dispose' in result) (result as Tensor).dispose();
    return 'did not throw';
  } catch (err) {
    const e = err as Error | undefined;
    const what = `${e?.constructor?.name ?? typeof err}: ${String(e?.message ?? err)}`;
    if (!(err instanceof spec.want)) return `threw ${what}, not a ${spec.want.name}`;
    if (!(err instanceof ResnetNativeError)) return `threw ${what}`;
    if (/Exception raised from|frame #\d/.test(err.message)) return `message has a C++ backtrace: ${what}`;
    // A word, not a substring: "k" must not be found in "topk", nor "pad" in "pads".
    if (spec.arg !== undefined && !new RegExp(`\\b${escape(spec.arg)}\\b`).test(err.message)) {
      return `message does not name ${spec.arg}: ${what}`;
    }
    return null;
  } finally {
    for (const t of f.made) if (!t.isDisposed) t.dispose();
  }
}

const problems: Record<string, string> = {};
const distinct = new Set<string>();
let calls = 0;
let random = 0;
function run(spec: Spec, bad: unknown, label: string): void {
  process.stderr.write(`call ${label}\n`);
  const problem = check(spec, bad);
  calls++;
  // libtorch's dispatcher errors list every backend: the first 300 characters say enough.
  if (problem !== null) problems[label] = problem.length > 300 ? `${problem.slice(0, 300)}...` : problem;
}

for (const spec of SPECS) {
  for (const bad of spec.bad ?? [undefined])
    run(spec, bad, `${spec.name}${spec.bad ? ` = ${show(bad)}` : ''}`);
}
const rnd = new Rand(SEED);
const generated = SPECS.filter((s) => s.gen !== undefined);
const start = Date.now();
for (; random < CALLS && Date.now() - start < BUDGET_MS; random++) {
  const spec = rnd.pick(generated);
  const bad = spec.gen!(rnd);
  const label = `${spec.name} = ${show(bad)} (random)`;
  distinct.add(label);
  run(spec, bad, label);
}
console.log(JSON.stringify({ calls, random, distinct: distinct.size, ms: Date.now() - start, problems }));
