/**
 * Training throughput, resnet-native vs PyTorch, same model (ResNet-20, 1×28×28, the main
 * job's), same batch, same threads, alternating rounds in one run so that machine noise hits
 * both. Prints medians and writes bench/results/train-throughput-<date>.json.
 * Run: npm run bench:train [-- --threads 2 --batch 128 --steps 12 --rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { manualSeed, nn, optim, randint, randn, resnet20, setNumThreads, version } from '../lib/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(cpus().length) },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '3' },
  },
});
const [threads, batch, steps, rounds] = [values.threads, values.batch, values.steps, values.rounds].map(
  Number,
) as [number, number, number, number];
const WARMUP = 2;

function ours(): number[] {
  setNumThreads(threads);
  manualSeed(0);
  const model = resnet20({ inChannels: 1 });
  const opt = new optim.SGD(model.parameters(), {
    lr: 0.1,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
  });
  const x = randn([batch, 1, 28, 28]);
  const y = randint(0, 10, [batch]);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    opt.zeroGrad();
    const logits = model.forward(x);
    const loss = nn.functional.crossEntropy(logits, y);
    loss.backward();
    opt.step();
    times.push((performance.now() - t) / 1000);
    logits.dispose();
    loss.dispose();
  }
  model.dispose();
  return times;
}

function pytorch(): number[] {
  const out = execFileSync(
    '/usr/bin/python3',
    ['bench/pytorch_train.py', ...[threads, batch, steps, 1, 28].map(String)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = { ours: [] as number[], pytorch: [] as number[] };
for (let r = 0; r < rounds; r++) {
  results.ours.push(...ours().slice(WARMUP));
  results.pytorch.push(...pytorch().slice(WARMUP));
}
const summary = {
  date: new Date().toISOString(),
  conditions: {
    model: 'resnet20 (option A), 1x28x28, 10 classes',
    batch,
    threads,
    stepsPerRound: steps,
    warmup: WARMUP,
    rounds,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    libtorch: version.libtorch,
  },
  medianStepSeconds: { resnetNative: median(results.ours), pytorch: median(results.pytorch) },
  imagesPerSecond: { resnetNative: batch / median(results.ours), pytorch: batch / median(results.pytorch) },
  raw: results,
};
console.log(
  `resnet-native: ${summary.imagesPerSecond.resnetNative.toFixed(1)} img/s (median step ${(1000 * summary.medianStepSeconds.resnetNative).toFixed(1)} ms)`,
);
console.log(
  `PyTorch:       ${summary.imagesPerSecond.pytorch.toFixed(1)} img/s (median step ${(1000 * summary.medianStepSeconds.pytorch).toFixed(1)} ms)`,
);
console.log(
  `ratio (ours / PyTorch): ${(summary.imagesPerSecond.resnetNative / summary.imagesPerSecond.pytorch).toFixed(3)}`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/train-throughput-${summary.date.slice(0, 10)}.json`,
  `${JSON.stringify(summary, null, 2)}\n`,
);
