// Child of crash_safety.test.ts, killed with SIGKILL at random moments. Plain JavaScript on the
// built package (dist/), so that it starts in about a second and can be killed twenty times.
//   node save_child.mjs save <path>        : save() state dicts whose every value is the version
//   node save_child.mjs train <outDir> [resume] : a Trainer checkpointing after every batch
import { Trainer, data, nn, optim, save, manualSeed, tensor, zeros } from '../../dist/index.js';

const [mode, target, resume] = process.argv.slice(2);

if (mode === 'save') {
  // Version v: every value of every tensor is v, and the metadata says v; a torn file would
  // mix versions or fail to parse. Sizes vary so that writes take different times.
  for (let v = 1; ; v++) {
    const sd = { a: zeros([64 + (v % 7) * 4096]).add(v), b: zeros([3, 5]).add(v) };
    await save(sd, target, { metadata: { version: String(v) } });
    sd.a.dispose();
    sd.b.dispose();
    if (v === 1) process.stdout.write('ready\n');
  }
} else if (mode === 'train') {
  manualSeed(1);
  const n = 64;
  const pixels = Uint8Array.from({ length: n * 8 * 8 }, (_, i) => (i * 37) % 251);
  const ds = {
    kind: 'tensor',
    inputs: tensor(pixels, { shape: [n, 1, 8, 8] }),
    targets: tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3))),
    classes: ['a', 'b', 'c'],
    length: n,
  };
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 3));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const trainLoader = new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 3 });
  let first = true;
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    epochs: Number(process.env.EPOCHS ?? 1000),
    outDir: target,
    checkpointEvery: 1,
    onBatch: () => {
      // Once a checkpoint exists (the first one is written after batch 1 is done).
      if (!first) return;
      first = false;
      process.stdout.write('ready\n');
    },
  });
  if (resume === 'resume') {
    const state = await trainer.resume(trainer.checkpointPath);
    process.stdout.write(`resumed ${state.epoch} ${state.batch}\n`);
  }
  await trainer.fit();
  process.stdout.write('done\n');
}
