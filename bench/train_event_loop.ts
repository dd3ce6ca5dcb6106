/**
 * The event loop while `Trainer.fit()` trains, and the Trainer's native step against the
 * README's hand-written eager loop: ResNet-20 on the first 2,048 Fashion-MNIST images, batch
 * 128, one epoch, SGD with Nesterov momentum and OneCycle, seeded alike. For the Trainer, a 2 ms
 * setInterval's gaps and perf_hooks.monitorEventLoopDelay are recorded; the final weights of both
 * are compared bitwise. Rounds alternate the eager loop, the Trainer, and the Trainer watched. Writes bench/results/train-event-loop-<date>.json.
 * Run: npm run bench:event-loop [-- --rounds 3 --threads 2]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  Trainer,
  data,
  manualSeed,
  nn,
  optim,
  resnet20,
  setNumThreads,
  tidy,
  type Tensor,
} from '../lib/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(Math.min(cpus().length, 2)) },
  },
});
const rounds = Number(values.rounds);
const threads = Number(values.threads);
setNumThreads(threads);

const full = await data.FashionMNIST.load({ train: true });
const n = 2048;
const train: data.TensorDataset = {
  kind: 'tensor',
  inputs: full.inputs.narrow(0, 0, n),
  targets: full.targets.narrow(0, 0, n),
  classes: full.classes,
  length: n,
};

function setup() {
  manualSeed(0);
  const model = resnet20({ inChannels: 1 });
  const optimizer = new optim.SGD(model.parameters(), {
    lr: 0.2,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
  });
  const trainLoader = new data.DataLoader(train, { batchSize: 128, shuffle: true, seed: 0 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, {
    maxLr: 0.2,
    epochs: 1,
    stepsPerEpoch: trainLoader.length,
  });
  return { model, optimizer, trainLoader, scheduler, epochs: 1 };
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const median = (xs: number[]) => percentile(xs, 0.5);
const bytes = (m: nn.Module) =>
  Buffer.concat(
    Object.values(m.stateDict()).map((t: Tensor) =>
      Buffer.from((t.dataSync() as Float32Array).slice().buffer),
    ),
  );

async function eagerLoop(): Promise<{ seconds: number; weights: Buffer }> {
  const s = setup();
  s.model.train();
  const started = performance.now();
  for await (const { input, target } of s.trainLoader.epoch(0)) {
    s.optimizer.zeroGrad();
    tidy(() => {
      const l = nn.functional.crossEntropy(s.model.forward(input), target);
      l.backward();
      return l.item();
    });
    s.optimizer.step();
    s.scheduler.step();
    input.dispose();
    target.dispose();
  }
  return { seconds: (performance.now() - started) / 1000, weights: bytes(s.model) };
}

async function trainer(watch: boolean) {
  const s = setup();
  const gaps: number[] = [];
  let last = performance.now();
  // The watchers wake this thread every 2 ms; on 2 cores that costs the step some CPU, so
  // throughput is measured in a run without them.
  const timer = watch
    ? setInterval(() => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }, 2)
    : undefined;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  if (watch) delay.enable();
  const started = performance.now();
  await new Trainer(s).fit();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  if (timer !== undefined) clearInterval(timer);
  const ms = (ns: number) => ns / 1e6;
  return {
    seconds,
    weights: bytes(s.model),
    interval: { samples: gaps.length, p99: percentile(gaps, 0.99), max: Math.max(...gaps) },
    monitor: { p99: ms(delay.percentile(99)), max: ms(delay.max) },
  };
}

const results: Array<
  { eagerImgPerSec: number; trainerImgPerSec: number; bitwiseEqual: boolean } & Record<string, unknown>
> = [];
// A first, unrecorded round pays the one-time costs (oneDNN primitives, page faults) for both.
await eagerLoop();
await trainer(false);
for (let r = 0; r < rounds; r++) {
  const e = await eagerLoop();
  const t = await trainer(false);
  const watched = await trainer(true);
  results.push({
    eagerImgPerSec: n / e.seconds,
    trainerImgPerSec: n / t.seconds,
    watchedTrainerImgPerSec: n / watched.seconds,
    bitwiseEqual: e.weights.equals(t.weights) && e.weights.equals(watched.weights),
    interval: watched.interval,
    monitor: watched.monitor,
  });
  console.log(JSON.stringify(results.at(-1)));
}
const summary = {
  date: new Date().toISOString(),
  conditions: {
    threads,
    rounds,
    model: 'resnet20, 1x28x28, batch 128, 2048 Fashion-MNIST images, 1 epoch, SGD nesterov + OneCycle',
  },
  rounds: results,
  medians: {
    eagerImgPerSec: median(results.map((x) => x.eagerImgPerSec)),
    trainerImgPerSec: median(results.map((x) => x.trainerImgPerSec)),
    throughputRatio: median(results.map((x) => x.trainerImgPerSec / x.eagerImgPerSec)),
  },
};
console.log(JSON.stringify(summary.medians));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/train-event-loop-${summary.date.slice(0, 10)}.json`,
  `${JSON.stringify(summary, null, 2)}\n`,
);
