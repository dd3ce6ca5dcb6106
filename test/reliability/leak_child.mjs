// Child of the leak checks (leak_check.ts): one long-running workload on ResNet-20 (small images
// so that a step is cheap), printing a JSON sample { step, live, rss, rssBeforeGc } at every
// eighth of the run (a quarter and the end among them), then { final } once everything it made
// is disposed. Plain JavaScript on the built package. LEAK_THREADS: libtorch's intra-op threads.
//   node leak_child.mjs <trainer|loop|syncLoop|forwardAsync|saveLoad> <steps> <dir>
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Trainer,
  data,
  load,
  memory,
  nn,
  optim,
  randint,
  randn,
  resnet20,
  save,
  setNumThreads,
} from '../../dist/index.js';

const [mode, stepsArg, dir] = process.argv.slice(2);
const steps = Number(stepsArg);
setNumThreads(Number(process.env.LEAK_THREADS ?? 1));
const eighth = Math.max(1, Math.floor(steps / 8));
const sampled = (step) => step % eighth === 0 || step === steps;
const baseline = memory().liveTensors;
// With bench/malloc/trim_probe.c preloaded (TRIM_PROBE_FILE names its request file), each sample
// also asks glibc to return freed memory (malloc_trim) and records the RSS after it: rssTrimmed.
const trimRequest = process.env.TRIM_PROBE_FILE;
const trimmedRss = () => {
  writeFileSync(trimRequest, '');
  const deadline = Date.now() + 10_000;
  while (existsSync(trimRequest) && Date.now() < deadline)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  return process.memoryUsage().rss;
};
const sample = (step) => {
  // Before the forced collection too: what the workload reaches with V8's own collections only.
  const rssBeforeGc = process.memoryUsage().rss;
  globalThis.gc?.();
  // V8's own heap and the ArrayBuffers it holds, beside RSS: what part of a growth is JavaScript's.
  const { rss, heapTotal, arrayBuffers } = process.memoryUsage();
  const trimmed = trimRequest ? { rssTrimmed: trimmedRss() } : {};
  console.log(
    JSON.stringify({
      step,
      live: memory().liveTensors,
      rss,
      rssBeforeGc,
      heapTotal,
      arrayBuffers,
      ...trimmed,
    }),
  );
};

const BATCH = 8;
const n = BATCH * 8;
const ds = {
  kind: 'tensor',
  inputs: randint(0, 256, [n, 1, 16, 16], { dtype: 'uint8' }),
  targets: randint(0, 10, [n]),
  classes: [],
  length: n,
};
const model = resnet20({ inChannels: 1 });
const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
const loader = new data.DataLoader(ds, { batchSize: BATCH, shuffle: true, seed: 1 });
const perEpoch = loader.length;
// One step as PyTorch users write it: nothing disposed by hand.
const trainStep = (input, target) => {
  opt.zeroGrad();
  const loss = nn.functional.crossEntropy(model.forward(input), target);
  loss.backward();
  opt.step();
  return loss.item();
};

// In a function of its own, so that its frame (which may still hold the last batch) is gone
// when the final count is taken.
const workload = async () => {
  if (mode === 'trainer') {
    // Samples at epoch ends (the same point of the loop each time).
    const trainer = new Trainer({
      model,
      optimizer: opt,
      trainLoader: loader,
      epochs: Math.ceil(steps / perEpoch),
      onEpoch: (r) => {
        const step = r.epoch * perEpoch;
        if (
          Math.floor(step / eighth) > Math.floor((step - perEpoch) / eighth) ||
          r.epoch === Math.ceil(steps / perEpoch)
        )
          sample(step);
      },
    });
    await trainer.fit();
  } else if (mode === 'loop') {
    // The README's hand-written loop, as PyTorch users write it: no tidy(), no dispose().
    let step = 0;
    for (let epoch = 0; step < steps; epoch++) {
      for await (const { input, target } of loader.epoch(epoch)) {
        trainStep(input, target);
        if (sampled(++step)) sample(step);
        if (step === steps) break;
      }
    }
  } else if (mode === 'syncLoop') {
    // The same step in a synchronous loop over batches already in memory: the event loop never
    // gets a turn, so only what the garbage collector frees by itself keeps it flat.
    const batches = Array.from({ length: 4 }, () => ({
      input: randn([BATCH, 1, 16, 16]),
      target: randint(0, 10, [BATCH]),
    }));
    for (let step = 1; step <= steps; step++) {
      const { input, target } = batches[step % batches.length];
      trainStep(input, target);
      if (sampled(step)) sample(step);
    }
    for (const { input, target } of batches) {
      input.dispose();
      target.dispose();
    }
  } else if (mode === 'forwardAsync') {
    model.eval();
    const x = randn([BATCH, 1, 16, 16]);
    for (let step = 1; step <= steps; step++) {
      (await model.forwardAsync(x)).dispose();
      if (sampled(step)) sample(step);
    }
    x.dispose();
  } else if (mode === 'saveLoad') {
    const path = join(dir, 'weights.safetensors');
    for (let step = 1; step <= steps; step++) {
      const views = model.stateDict();
      await save(views, path);
      for (const t of Object.values(views)) t.dispose();
      const sd = await load(path);
      model.loadStateDict(sd);
      for (const t of Object.values(sd)) t.dispose();
      if (sampled(step)) sample(step);
    }
  } else throw new Error(`unknown mode ${mode}`);
};
await workload();

model.dispose();
for (const s of opt.state.values()) for (const v of Object.values(s)) if (typeof v === 'object') v.dispose();
ds.inputs.dispose();
ds.targets.dispose();
// The loops drop their last batch and loss without disposing them: a collection frees those.
globalThis.gc?.();
console.log(JSON.stringify({ final: memory().liveTensors - baseline }));
