/**
 * Random cases of every kind (test/fuzz/chaos.ts): native entry points called directly, Tensor
 * methods on NaN/Infinity/empty tensors, dispose() during async work, mutated weight files.
 * Each must end in a result or a library error, and the child process must survive. The suite
 * runs FUZZ_CASES=600 from a new printed seed; `npm run fuzz:long` runs 10,000.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env['FUZZ_CASES'] ?? 600);
const script = fileURLToPath(new URL('fuzz/chaos.ts', import.meta.url));
const viteNode = fileURLToPath(new URL('../node_modules/.bin/vite-node', import.meta.url));
console.log(`[chaos] seed ${SEED}, ${CASES} cases (reproduce with FUZZ_SEED=${SEED} FUZZ_CASES=${CASES})`);

describe(`random cases end in a result or a library error (FUZZ_SEED=${SEED})`, () => {
  it(`${CASES} cases in a child process that survives them`, async () => {
    const { code, signal, stdout, stderr } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(viteNode, [script], {
        env: { ...process.env, FUZZ_SEED: String(SEED), FUZZ_CASES: String(CASES) },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-20_000)));
      child.on('close', (c, s) => resolve({ code: c, signal: s, stdout: out, stderr: err }));
    });
    const last = stderr
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('case '))
      .at(-1);
    expect({ code, signal }, `died during ${last}\n${stderr.slice(-2000)}`).toEqual({
      code: 0,
      signal: null,
    });
    const summary = JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as {
      cases: number;
      counts: Record<string, number>;
      ms: number;
      outside: Record<string, string>;
    };
    console.log(`[chaos] ${summary.cases} cases ${JSON.stringify(summary.counts)} in ${summary.ms} ms`);
    expect(summary.outside).toEqual({});
  }, 900_000);
});
