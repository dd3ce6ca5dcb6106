/**
 * The leak checks' facts, shared by the suite's bounded run (test/reliability/leak.test.ts)
 * and the issue's full-length one (`npm run leakcheck`, bench/leakcheck.ts): which workloads,
 * where the samples are taken, and what counts as a leak. Each workload runs in a child
 * process of its own (leak_child.mjs) so that the RSS measured is its own.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The workloads of leak_child.mjs. */
export const LEAK_MODES = ['trainer', 'loop', 'syncLoop', 'forwardAsync', 'saveLoad'] as const;
export type LeakMode = (typeof LEAK_MODES)[number];

/** The length of every check: samples at step 500 (a quarter) and at step 2,000. */
export const FULL_STEPS = 2000;

/** RSS may grow by less than this fraction between a quarter of the run and its end. */
export const RSS_GROWTH_BOUND = 0.05;

/**
 * One intra-op thread in the children: the checks measure memory, not speed, and on a shared
 * machine libgomp's spinning threads make a 2-thread eager step tens of times slower (measured:
 * 40 README-loop steps took 254 s with 2 threads at load 11, 18 s with 1). LEAK_THREADS overrides.
 */
export const LEAK_THREADS = 1;

/** One sample of a child: live tensors and RSS after a forced GC (and after malloc_trim, with LEAK_TRIM=1). */
export interface LeakSample {
  step: number;
  live: number;
  rss: number;
  /** RSS just before the forced GC: what V8's own collections left. */
  rssBeforeGc?: number;
  rssTrimmed?: number;
  /** V8's heap (process.memoryUsage().heapTotal) and its ArrayBuffers' bytes. */
  heapTotal?: number;
  arrayBuffers?: number;
}

/** What a child printed: samples through the run, and what was left once all was disposed. */
export interface LeakRun {
  mode: LeakMode;
  steps: number;
  samples: LeakSample[];
  final: number;
  seconds: number;
}

/** The verdict on one run: the quarter and end samples the bound applies to. */
export interface LeakVerdict {
  quarter: LeakSample;
  end: LeakSample;
  liveBack: boolean;
  rssGrowth: number;
  ok: boolean;
}

const child = fileURLToPath(new URL('leak_child.mjs', import.meta.url));
const trimProbe = fileURLToPath(new URL('../../bench/malloc/trim_probe.c', import.meta.url));

/**
 * With LEAK_TRIM=1: the environment that preloads the malloc_trim probe (built into `dir`), so
 * that every sample also records the RSS left once glibc returned its freed memory.
 */
function trimEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env['LEAK_TRIM'] !== '1') return {};
  const lib = join(dir, 'trim_probe.so');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', lib, trimProbe, '-lpthread']);
  const preload = [env['LD_PRELOAD'], lib].filter(Boolean).join(':');
  return { LD_PRELOAD: preload, TRIM_PROBE_FILE: join(dir, 'trim-request') };
}

/**
 * V8 grows its young generation (two semi-spaces) once allocation is heavy: save/load's RSS
 * jumped by 17 MiB near step 750 of 800, all of it V8's heapTotal (26 -> 43 MB), then stayed
 * flat. Starting the young generation at the size it grows to (16 MiB semi-spaces, Node 20's
 * maximum on 64-bit) measures RSS from V8's steady size, so the check sees native and
 * JavaScript leaks and not that one-time resize (measured: +1.3 % from step 200 to 800, against
 * +9.2 % with V8's default start).
 */
const YOUNG_GENERATION_AT_FULL_SIZE = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Runs one workload for `steps` steps in a child process (`dir` holds its files). */
export async function runLeakChild(
  mode: LeakMode,
  steps: number,
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LeakRun> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', ...YOUNG_GENERATION_AT_FULL_SIZE, child, mode, String(steps), dir],
    {
      maxBuffer: 1 << 22,
      env: { LEAK_THREADS: String(LEAK_THREADS), ...env, ...trimEnv(dir, env) },
    },
  );
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LeakSample & { final?: number });
  return {
    mode,
    steps,
    samples: lines.filter((l) => l.final === undefined),
    final: lines.at(-1)!.final!,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The step of the quarter sample (the child samples there and at every eighth of the run). */
export function quarterStep(run: LeakRun): number {
  const quarter = run.samples.find((s) => s.step >= run.steps / 4);
  if (!quarter) throw new Error(`${run.mode}: no sample past a quarter of ${run.steps} steps`);
  return quarter.step;
}

/** Live tensors back to their quarter-mark count, nothing left at the end, RSS growth in bound. */
export function judge(run: LeakRun): LeakVerdict {
  const quarter = run.samples.find((s) => s.step === quarterStep(run))!;
  const end = run.samples.at(-1)!;
  // Both ways: after a forced GC (what is still held) and before it (what V8's own collections
  // left: a loop that only the forced GC kept flat would not be flat for a user).
  const growth = (a: number | undefined, b: number | undefined) => (a && b ? (b - a) / a : 0);
  const rssGrowth = Math.max(growth(quarter.rss, end.rss), growth(quarter.rssBeforeGc, end.rssBeforeGc));
  const liveBack = end.live === quarter.live && run.final === 0;
  return { quarter, end, liveBack, rssGrowth, ok: liveBack && rssGrowth < RSS_GROWTH_BOUND };
}

/** One line for a log: the numbers the verdict rests on. */
export function describeVerdict(run: LeakRun, v: LeakVerdict): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const trimmed =
    v.quarter.rssTrimmed !== undefined && v.end.rssTrimmed !== undefined
      ? `; after malloc_trim ${mib(v.quarter.rssTrimmed)} → ${mib(v.end.rssTrimmed)} MiB ` +
        `(${((100 * (v.end.rssTrimmed - v.quarter.rssTrimmed)) / v.quarter.rssTrimmed).toFixed(2)} %)`
      : '';
  const beforeGc =
    v.quarter.rssBeforeGc !== undefined && v.end.rssBeforeGc !== undefined
      ? ` (before the forced GC ${mib(v.quarter.rssBeforeGc)} → ${mib(v.end.rssBeforeGc)})`
      : '';
  return (
    `${run.mode}: live ${v.quarter.live} → ${v.end.live} (final ${run.final}), RSS ${mib(v.quarter.rss)} → ` +
    `${mib(v.end.rss)} MiB${beforeGc}, growth ${(100 * v.rssGrowth).toFixed(2)} % between steps ${v.quarter.step} and ` +
    `${v.end.step}${trimmed}, ${run.seconds.toFixed(0)} s`
  );
}
