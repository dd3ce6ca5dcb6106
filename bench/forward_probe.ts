/**
 * One process, one way of calling resnet50 (eval, batch 1, 224²): prints the median time of the
 * timed call, the process's thread count before and after, and the median minor page faults of
 * the timed call and its voluntary context switches (all threads). For diagnosing the
 * synchronous forward's slowdown after replays
 * (bench/results/forward-async-slowdown.md).
 *   sync         the synchronous forward only
 *   async        forwardAsync only (the timed call is a replay)
 *   interleaved  a forwardAsync, then the timed synchronous forward
 *   sleep        a forwardAsync, 200 ms idle, then the timed synchronous forward
 *   plain        as interleaved, with forwardAsync off the fast path ({ fastPath: false }): the
 *                replay then reads the same weights as the synchronous forward
 * Run: npx vite-node bench/forward_probe.ts -- <mode> [iterations]
 */
import { readdirSync } from 'node:fs';
import { noGrad, randn, resnet50, setNumThreads } from '../lib/index.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const mode = args[0] ?? 'sync';
const iters = Number(args[1] ?? 10);
setNumThreads(2);
const model = resnet50().eval();
const x = randn([1, 3, 224, 224]);
const threads = () => readdirSync('/proc/self/task').length;
const sync = () => noGrad(() => model.forward(x)).dispose();
const replay = async () =>
  (await model.forwardAsync(x, mode === 'plain' ? { fastPath: false } : {})).dispose();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (let i = 0; i < 3; i++)
  if (mode === 'sync') sync();
  else await replay();
const threadsBefore = threads();
const times: number[] = [];
const faults: number[] = [];
const switches: number[] = []; // voluntary context switches of all threads: futex sleeps
for (let i = 0; i < iters; i++) {
  if (mode === 'interleaved' || mode === 'sleep' || mode === 'plain') await replay();
  if (mode === 'sleep') await new Promise((r) => setTimeout(r, 200));
  const u0 = process.resourceUsage();
  const t = performance.now();
  if (mode === 'async') await replay();
  else sync();
  times.push(performance.now() - t);
  const u1 = process.resourceUsage();
  faults.push(u1.minorPageFault - u0.minorPageFault);
  switches.push(u1.voluntaryContextSwitches - u0.voluntaryContextSwitches);
}
console.log(
  JSON.stringify({
    mode,
    medianMs: median(times),
    threadsBefore,
    threadsAfter: threads(),
    faults: median(faults),
    contextSwitches: median(switches),
  }),
);
