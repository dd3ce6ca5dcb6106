/**
 * The issue's leak checks at full length: 2,000 ResNet-20 steps through Trainer, 2,000 through
 * the README's hand-written loop (nothing disposed by hand), 2,000 of the same step in a
 * synchronous loop, 2,000 forwardAsync calls and 2,000 save/load round trips, one
 * child process after the other (leak_check.ts holds the workloads and the bound; the suite runs
 * shorter ones). Writes bench/results/leakcheck-<time>.json with every sample, the verdicts,
 * the command, the load average and the allocator settings; exits 1 if a check fails.
 * Run on the built package (dist/): npm run leakcheck [-- --steps 2000 --modes trainer,loop --label x]
 * Allocator experiments pass through the environment (MALLOC_ARENA_MAX, LD_PRELOAD, LEAK_THREADS;
 * LEAK_TRIM=1 also records the RSS after glibc's malloc_trim at every sample: bench/malloc/).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FULL_STEPS,
  LEAK_MODES,
  LEAK_THREADS,
  RSS_GROWTH_BOUND,
  describeVerdict,
  judge,
  runLeakChild,
  type LeakMode,
} from '../test/reliability/leak_check.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: String(FULL_STEPS) },
    modes: { type: 'string', default: LEAK_MODES.join(',') },
    label: { type: 'string', default: '' },
  },
});
const modes = values.modes.split(',') as LeakMode[];
for (const m of modes)
  if (!LEAK_MODES.includes(m)) throw new Error(`unknown mode ${m}: ${LEAK_MODES.join(', ')}`);
const steps = Number(values.steps);

const env = Object.fromEntries(
  ['MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_', 'LD_PRELOAD', 'LEAK_THREADS', 'LEAK_TRIM', 'OMP_WAIT_POLICY']
    .filter((k) => process.env[k] !== undefined)
    .map((k) => [k, process.env[k]]),
);
const dir = mkdtempSync(join(tmpdir(), 'rn-leakcheck-'));
const started = new Date();
const results = [];
let failed = 0;
try {
  for (const mode of modes) {
    const loadBefore = loadavg();
    const run = await runLeakChild(mode, steps, dir);
    const verdict = judge(run);
    if (!verdict.ok) failed++;
    console.log(`[leakcheck] ${verdict.ok ? 'ok  ' : 'FAIL'} ${describeVerdict(run, verdict)}`);
    results.push({ ...run, verdict, loadBefore, loadAfter: loadavg() });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const outDir = join(import.meta.dirname, 'results');
mkdirSync(outDir, { recursive: true });
const stamp = started.toISOString().slice(0, 16).replace(/[:]/g, '');
const file = join(outDir, `leakcheck-${stamp}${values.label ? `-${values.label}` : ''}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      date: started.toISOString(),
      command: `npm run leakcheck -- ${process.argv.slice(2).join(' ')}`.trim(),
      conditions: {
        steps,
        threads: Number(process.env['LEAK_THREADS'] ?? LEAK_THREADS),
        rssGrowthBound: RSS_GROWTH_BOUND,
        env,
        node: process.version,
        model: 'resnet20, 1x16x16 uint8 inputs, batch 8, 64 images, SGD momentum 0.9',
      },
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`[leakcheck] wrote ${file}`);
process.exitCode = failed ? 1 : 0;
