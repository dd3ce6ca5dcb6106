/**
 * Training throughput, resnet-native vs PyTorch, same model (ResNet-20, 1×28×28, the main
 * job's), same batch, same threads, alternating rounds in one run so that machine noise hits
 * both. Prints medians and writes bench/results/train-throughput-<date>.json.
 * Both sides run in the default (NCHW) layout and in channels-last (NHWC) layout.
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

function ours(channelsLast: boolean): number[] {
  setNumThreads(threads);
  manualSeed(0);
  const model = resnet20({ inChannels: 1 });
  const opt = new optim.SGD(model.parameters(), {
    lr: 0.1,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 5e-4,
  });
  if (channelsLast) model.to('channels_last');
  const x = randn([batch, 1, 28, 28]).contiguous(channelsLast ? 'channels_last' : 'contiguous');
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

function pytorch(channelsLast: boolean): number[] {
  const args = [...[threads, batch, steps, 1, 28].map(String), channelsLast ? 'channels_last' : 'nchw'];
  const out = execFileSync('/usr/bin/python3', ['bench/pytorch_train.py', ...args], { encoding: 'utf8' });
  return JSON.parse(out) as number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = {
  ours: [] as number[],
  pytorch: [] as number[],
  oursChannelsLast: [] as number[],
  pytorchChannelsLast: [] as number[],
};
for (let r = 0; r < rounds; r++) {
  runs.ours.push(...ours(false).slice(WARMUP));
  runs.pytorch.push(...pytorch(false).slice(WARMUP));
  runs.oursChannelsLast.push(...ours(true).slice(WARMUP));
  runs.pytorchChannelsLast.push(...pytorch(true).slice(WARMUP));
}
const ips = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, batch / median(v)])) as Record<
  keyof typeof runs,
  number
>;
const summary = {
  date: new Date().toISOString(),
  conditions: {
    model: 'resnet20 (option A), 1x28x28, 10 classes, SGD nesterov',
    batch,
    threads,
    stepsPerRound: steps,
    warmup: WARMUP,
    rounds,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    libtorch: version.libtorch,
    ompWaitPolicy: process.env['OMP_WAIT_POLICY'] ?? 'libgomp default',
  },
  imagesPerSecond: ips,
  raw: runs,
};
for (const [k, v] of Object.entries(ips)) console.log(`${k.padEnd(20)} ${v.toFixed(1)} img/s`);
console.log(
  `ratio resnet-native (channels_last, as the trainer runs) / PyTorch (default layout): ${(ips.oursChannelsLast / ips.pytorch).toFixed(3)}`,
);
console.log(
  `ratio same layout: NCHW ${(ips.ours / ips.pytorch).toFixed(3)}, channels_last ${(ips.oursChannelsLast / ips.pytorchChannelsLast).toFixed(3)}`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/train-throughput-${summary.date.slice(0, 10)}.json`,
  `${JSON.stringify(summary, null, 2)}\n`,
);
