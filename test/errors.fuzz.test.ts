/**
 * Thousands of wrong calls (wrong types, values, shapes, dtypes, disposed tensors): every
 * listed wrong value of every argument, then fresh random ones from a new seed each run
 * (printed; FUZZ_SEED=<n> replays it). Each call must throw its one error class, with no C++
 * backtrace and, for the library's own checks, the argument named as a word. The calls run in
 * a child process (test/fuzz/run.ts), whose exit code and signal are checked: a segfault
 * fails this test with the file, the seed and the call it died in.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CALLS = 20_000;
const script = fileURLToPath(new URL('fuzz/run.ts', import.meta.url));
const viteNode = fileURLToPath(new URL('../node_modules/.bin/vite-node', import.meta.url));
console.log(`[fuzz] seed ${SEED} (reproduce with FUZZ_SEED=${SEED})`);

interface Summary {
  calls: number;
  random: number;
  distinct: number;
  ms: number;
  problems: Record<string, string>;
}

function fuzz(): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}> {
  return new Promise((resolve) => {
    const child = spawn(viteNode, [script], {
      env: { ...process.env, FUZZ_SEED: String(SEED), FUZZ_CALLS: String(CALLS) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe(`wrong calls throw their library error (FUZZ_SEED=${SEED})`, () => {
  it(`every listed wrong value, then up to ${CALLS} random ones, in a child process`, async () => {
    const { code, signal, stdout, stderr } = await fuzz();
    const lastCall = stderr
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('call '))
      .at(-1);
    const death = `test/fuzz/run.ts (FUZZ_SEED=${SEED}) ended with code ${code}, signal ${signal}, during ${lastCall}`;
    expect({ code, signal }, `${death}\n${stderr.slice(-2000)}`).toEqual({ code: 0, signal: null });
    const summary = JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Summary;
    console.log(
      `[fuzz] ${summary.calls} calls (${summary.random} random, ${summary.distinct} distinct) in ${summary.ms} ms of random phase`,
    );
    expect(Object.entries(summary.problems).map(([call, problem]) => `${call}: ${problem}`)).toEqual([]);
    // The random phase makes new calls, not the listed ones again.
    // At least 5000 even on a loaded machine (the phase stops at its time budget); some specs
    // have few wrong values (a dtype among six), the others fresh ones: ~half the calls are new.
    expect(summary.random).toBeGreaterThanOrEqual(5000);
    expect(summary.distinct).toBeGreaterThan(0.4 * summary.random);
  }, 60_000);
});
