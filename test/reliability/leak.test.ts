/**
 * Leak checks, bounded for the suite: Trainer steps on ResNet-20, the README's hand-written
 * loop, forwardAsync calls, and save/load round trips, each in a child process of its own. In
 * each, the live tensors at a quarter of the run and at its end are the same, nothing is left
 * once the model is disposed, and RSS grows less than the bound from the quarter to the end.
 * The facts (workloads, samples, bound) live in leak_check.ts; `npm run leakcheck` runs the
 * issue's 2,000 steps of each and records them (bench/results/).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LEAK_MODES,
  RSS_GROWTH_BOUND,
  describeVerdict,
  judge,
  runLeakChild,
  type LeakMode,
  type LeakRun,
} from './leak_check.js';

/**
 * The suite's steps per check; eager steps cost several times a replayed one. LEAK_STEPS sets all.
 * save/load's RSS settles only after about 200 round trips (measured: +5-7 % from 100 to 400,
 * +1.2 % from 200 to 800, live tensors flat throughout), so its quarter mark must lie past that.
 */
const SUITE_STEPS: Record<LeakMode, number> = {
  trainer: 200,
  loop: 80,
  syncLoop: 80,
  forwardAsync: 200,
  saveLoad: 800,
};
const chosen = process.env['LEAK_STEPS'];
const stepsOf = (mode: LeakMode): number => Number(chosen ?? SUITE_STEPS[mode]);
const dir = mkdtempSync(join(tmpdir(), 'rn-leak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SANITIZED = process.env['RESNET_NATIVE_SANITIZED'] === '1';
if (SANITIZED)
  console.log(
    '[leak] RSS bounds not checked: this run is under AddressSanitizer (its quarantine holds freed memory)',
  );

describe(`no leaks over ${chosen ?? 'a few hundred'} steps (LEAK_STEPS)`, () => {
  for (const mode of LEAK_MODES) {
    let pending: Promise<LeakRun> | undefined;
    const once = async () => {
      pending ??= runLeakChild(mode, stepsOf(mode), dir);
      const run = await pending;
      const verdict = judge(run);
      console.log(`[leak] ${describeVerdict(run, verdict)}`);
      return { run, verdict };
    };
    it(`${mode}: live tensors back to their baseline`, async () => {
      const { run, verdict } = await once();
      expect(verdict.end.live).toBe(verdict.quarter.live);
      expect(run.final).toBe(0);
    }, 900_000);
    // Under AddressSanitizer (scripts/test_sanitized.sh) freed memory waits in its quarantine
    // (256 MB) by design, so RSS measures ASan, not the library: there the live-tensor check
    // stands alone, and LeakSanitizer (npm run leakcheck:lsan) looks for leaks.
    it.skipIf(SANITIZED)(
      `${mode}: RSS grows < ${100 * RSS_GROWTH_BOUND} % from a quarter of the run to its end`,
      async () => {
        expect((await once()).verdict.rssGrowth).toBeLessThan(RSS_GROWTH_BOUND);
      },
      900_000,
    );
  }
});
