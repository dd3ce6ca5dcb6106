// Child of ddp.test.ts: 3 SGD steps (momentum: one eager, one captured, one replayed step) of
// ResNet-20 with batch norm in eval mode, through the Trainer. With WORLD_SIZE set it is one
// rank of a DistributedDataParallel job (batch 8 per rank, a DistributedSampler without
// shuffling); without, one process with batch 16. Writes the final weights to
// <outDir>/weights-<rank>.safetensors. Plain JavaScript on the built package.
//   node ddp_child.mjs <outDir> <batchSize>
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Trainer,
  data,
  dist,
  manualSeed,
  optim,
  randint,
  randn,
  resnet20,
  save,
  setNumThreads,
} from '../../dist/index.js';

const [outDir, batchArg] = process.argv.slice(2);
const batchSize = Number(batchArg);
mkdirSync(outDir, { recursive: true });
setNumThreads(1);
const distributed = process.env.WORLD_SIZE !== undefined;
if (distributed) await dist.init({ timeoutMs: 60_000 });
const rank = dist.getRank();

// Same model and data on every rank and in the single process; only rank 0's weights matter
// for DDP (they are broadcast), so rank 1 starts from other ones to prove it.
manualSeed(7);
const inputs = randn([48, 3, 16, 16]);
const targets = randint(0, 10, [48]);
manualSeed(rank === 0 ? 1 : 2);
const model = resnet20();
const dataset = { kind: 'tensor', inputs, targets, classes: [...'0123456789'], length: 48 };
const sampler = distributed ? new dist.DistributedSampler(48, { shuffle: false }) : undefined;
const trainLoader = new data.DataLoader(dataset, { batchSize, ...(sampler ? { sampler } : {}) });
const trainer = new Trainer({
  model,
  optimizer: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }),
  trainLoader,
  epochs: 1,
  evalModules: [model], // batch norm in eval mode: per-rank statistics cannot differ
  tensorboard: false,
});
await trainer.fit();
await save(model.stateDict(), join(outDir, `weights-${rank}.safetensors`));
console.log(JSON.stringify({ rank, batches: trainLoader.length }));
