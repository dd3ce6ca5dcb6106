/**
 * What memory management by the garbage collector costs a hand-written loop: the README's step
 * (ResNet-20, Fashion-MNIST's 1x28x28 shape, SGD with momentum) in a synchronous loop, written as
 * PyTorch users write it (nothing disposed) and inside tidy(), each in a fresh process. Records
 * each one's peak RSS (VmHWM), its RSS at the end, ms per step, and V8's collections (count, ms).
 * RESNET_NATIVE_CPU_ALLOCATOR=system measures libtorch's own CPU allocator instead of the addon's.
 * Writes bench/results/loop-memory-<date>.json.
 * Run: npx vite-node bench/loop_memory.ts [-- --steps 200 --batch 128 --threads 1]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nn, optim, randint, randn, resnet20, setNumThreads, tidy } from '../lib/index.js';

const VARIANTS = ['plain', 'tidy'] as const;
type Variant = (typeof VARIANTS)[number];

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    batch: { type: 'string', default: '128' },
    threads: { type: 'string', default: '1' },
    variant: { type: 'string' },
  },
});

/** VmHWM and VmRSS of this process, in MiB. */
function rssMiB(): { peak: number; now: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

function runVariant(variant: Variant, steps: number, batch: number): void {
  setNumThreads(Number(values.threads));
  const model = resnet20({ inChannels: 1 });
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const input = randn([batch, 1, 28, 28]);
  const target = randint(0, 10, [batch]);
  const gc = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.ms += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const step = () => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(input), target);
    loss.backward();
    opt.step();
    return loss.item();
  };
  step(); // the first step allocates the optimizer's state
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    if (variant === 'tidy') tidy(step);
    else step();
  }
  const msPerStep = (performance.now() - started) / steps;
  // The observer reports in a later turn of the event loop.
  setTimeout(() => console.log(JSON.stringify({ variant, msPerStep, ...rssMiB(), gc })), 200);
}

if (values.variant !== undefined) {
  runVariant(values.variant as Variant, Number(values.steps), Number(values.batch));
} else {
  const self = fileURLToPath(import.meta.url);
  const vite = fileURLToPath(new URL('../node_modules/vite-node/vite-node.mjs', import.meta.url));
  const flags = ['--steps', values.steps, '--batch', values.batch, '--threads', values.threads];
  const results = VARIANTS.map((variant) => {
    const out = execFileSync(process.execPath, [vite, self, '--', ...flags, '--variant', variant], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    console.log(
      `${variant}: peak RSS ${r.peak.toFixed(0)} MiB, end ${r.now.toFixed(0)} MiB, ` +
        `${r.msPerStep.toFixed(1)} ms/step, ${r.gc.count} collections (${r.gc.ms.toFixed(0)} ms)`,
    );
    return r;
  });
  const date = new Date().toISOString().slice(0, 16).replace(':', '');
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/loop-memory-${date}.json`;
  const conditions = {
    steps: Number(values.steps),
    batch: Number(values.batch),
    threads: Number(values.threads),
  };
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `npx vite-node bench/loop_memory.ts -- ${flags.join(' ')}`,
        model: 'resnet20, 1x28x28 float32 inputs, SGD momentum 0.9, one batch reused',
        // native/cpu_cache_allocator.cc, unless RESNET_NATIVE_CPU_ALLOCATOR=system chose libtorch's own
        cpuAllocator: process.env['RESNET_NATIVE_CPU_ALLOCATOR'] ?? 'cache',
        ...conditions,
        loadBefore: loadavg(),
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${file}`);
}
