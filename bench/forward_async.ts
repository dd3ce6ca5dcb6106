/**
 * forwardAsync (capture, then replay on the executor thread) against the synchronous
 * `noGrad(() => model.forward(x))`, each case in a fresh process, rounds alternating so that
 * machine noise hits every case. Cases:
 *   sync        resnet50 eval, batch 1, 224², in a process that never calls forwardAsync
 *   async       the same through forwardAsync (replays; the capture call is warm-up)
 *   interleaved the synchronous forward timed while forwardAsync calls alternate with it
 *   tiny        forwardAsync of a ReLU on a 1×4 tensor
 * Prints medians and writes bench/results/forward-async-<date>.json.
 * Run: npm run bench:forward [-- --threads 2 --iters 15 --rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { nn, noGrad, randn, resnet50, setNumThreads, version } from '../lib/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(Math.min(cpus().length, 2)) },
    iters: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
    case: { type: 'string' },
  },
});
const [threads, iters, rounds] = [values.threads, values.iters, values.rounds].map(Number) as [
  number,
  number,
  number,
];
const cases = ['sync', 'async', 'interleaved', 'tiny'] as const;
type Case = (typeof cases)[number];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function child(which: Case): Promise<number[]> {
  setNumThreads(threads);
  const times: number[] = [];
  const time = async (fn: () => unknown) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  if (which === 'tiny') {
    const relu = new nn.ReLU();
    const x = randn([1, 4]);
    for (let i = 0; i < 50; i++) await relu.forwardAsync(x); // capture, then warm
    for (let i = 0; i < iters * 20; i++) times.push(await time(() => relu.forwardAsync(x)));
    return times;
  }
  const model = resnet50().eval();
  const x = randn([1, 3, 224, 224]);
  const sync = () => noGrad(() => model.forward(x)).dispose();
  const async_ = async () => (await model.forwardAsync(x)).dispose();
  for (let i = 0; i < 3; i++) await (which === 'sync' ? sync() : async_()); // warm-up (and capture)
  for (let i = 0; i < iters; i++) {
    if (which === 'sync') times.push(await time(sync));
    else if (which === 'async') times.push(await time(async_));
    else {
      await async_();
      times.push(await time(sync));
    }
  }
  return times;
}

if (values.case !== undefined) {
  process.stdout.write(JSON.stringify(await child(values.case as Case)));
} else {
  const self = fileURLToPath(import.meta.url);
  const results: Record<Case, number[]> = { sync: [], async: [], interleaved: [], tiny: [] };
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const out = execFileSync(
        'npx',
        ['vite-node', self, '--', '--case', c, '--threads', String(threads), '--iters', String(iters)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      results[c].push(median(JSON.parse(out.slice(out.indexOf('['))) as number[]));
    }
  }
  const m = Object.fromEntries(cases.map((c) => [c, median(results[c])])) as Record<Case, number>;
  const summary = {
    date: new Date().toISOString(),
    conditions: {
      threads,
      iters,
      rounds,
      model: 'resnet50 eval, batch 1, 3x224x224, float32',
      libtorch: version.libtorch,
      cpus: cpus().length,
    },
    perRoundMedianMs: results,
    medianMs: m,
    ratios: { asyncOverSync: m.async / m.sync, interleavedOverSync: m.interleaved / m.sync },
  };
  console.log(JSON.stringify(summary, null, 2));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    `bench/results/forward-async-${summary.date.slice(0, 10)}.json`,
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}
