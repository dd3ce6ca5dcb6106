/* global performance */
// The Node side of `npm run bench` (bench/bench.ts): one case, in this fresh process, of
// resnet-native (the built package, dist/) or onnxruntime-node.
// Usage: node node_case.mjs ENGINE VARIANT CASE ITERS THREADS [ONNX_FILE]
//   ENGINE resnet-native: VARIANT train | sync (tiny-add) | forward | optimized | forwardAsync
//   ENGINE onnxruntime-node: VARIANT session (infer cases only; ONNX_FILE from bench/export_onnx.py)
// Prints one JSON line: {"times": [ms per iteration (µs per call for tiny-add)], "rssMb": peak}.
import { readFileSync } from 'node:fs';

const [engine, variant, name, itersArg, threadsArg, onnxFile] = process.argv.slice(2);
const iters = Number(itersArg);
const threads = Number(threadsArg);

/** Peak resident set of this process (VmHWM), in MiB. */
function peakRssMb() {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024;
}

async function timed(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

const batchOf = (c) => Number(c.slice(c.lastIndexOf('b') + 1));

async function ort() {
  const ortLib = await import('onnxruntime-node');
  const session = await ortLib.InferenceSession.create(onnxFile, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const b = batchOf(name);
  const data = new Float32Array(b * 3 * 224 * 224).map(() => Math.random() * 2 - 1);
  const input = new ortLib.Tensor('float32', data, [b, 3, 224, 224]);
  return timed(() => session.run({ input }), iters);
}

async function native() {
  const rn = await import('../../dist/index.js');
  rn.setNumThreads(threads);
  rn.manualSeed(0);
  if (name === 'tiny-add') {
    const a = rn.randn([1]);
    const b = rn.randn([1]);
    const calls = 2000;
    const out = [];
    for (let i = 0; i < iters; i++) {
      const t = performance.now();
      for (let k = 0; k < calls; k++) a.add(b).dispose();
      out.push(((performance.now() - t) * 1000) / calls);
    }
    return out;
  }
  if (name.startsWith('train-')) {
    const [model, x, classes] =
      name === 'train-resnet18'
        ? [rn.resnet18(), rn.randn([16, 3, 224, 224]), 1000]
        : name === 'train-resnet50'
          ? [rn.resnet50(), rn.randn([8, 3, 224, 224]), 1000]
          : [rn.resnet20({ inChannels: 1 }), rn.randn([128, 1, 28, 28]), 10];
    let input = x;
    if (name.endsWith('-cl')) {
      model.to('channels_last');
      input = x.contiguous('channels_last');
    }
    const y = rn.randint(0, classes, [x.shape[0]]);
    const opt = new rn.optim.SGD(model.parameters(), {
      lr: 0.1,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 5e-4,
    });
    return timed(() => {
      opt.zeroGrad();
      const logits = model.forward(input);
      const loss = rn.nn.functional.crossEntropy(logits, y);
      loss.backward();
      opt.step();
      logits.dispose();
      loss.dispose();
    }, iters);
  }
  const model = rn.resnet50().eval();
  const x = rn.randn([batchOf(name), 3, 224, 224]);
  if (variant === 'forward') return timed(() => rn.noGrad(() => model.forward(x)).dispose(), iters);
  if (variant === 'optimized') {
    model.optimizeForInference();
    return timed(() => model.forward(x).dispose(), iters);
  }
  return timed(async () => (await model.forwardAsync(x)).dispose(), iters);
}

const times = engine === 'onnxruntime-node' ? await ort() : await native();
console.log(JSON.stringify({ times, rssMb: peakRssMb() }));
