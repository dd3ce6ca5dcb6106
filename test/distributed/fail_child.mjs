// Child of failure.test.ts: one rank of a 2-rank job training ResNet-20 on tiny images for
// many epochs, printing "step <n>" after every batch. When the job breaks (the test kills or
// stops the other rank) it prints the error and exits with code 3. Plain JavaScript on the
// built package.   node fail_child.mjs <timeoutMs>
import { Trainer, data, dist, optim, randint, randn, resnet20, setNumThreads } from '../../dist/index.js';

const timeoutMs = Number(process.argv[2]);
setNumThreads(1);
await dist.init({ timeoutMs });
const model = resnet20({ inChannels: 1 });
const dataset = {
  kind: 'tensor',
  inputs: randn([64, 1, 8, 8]),
  targets: randint(0, 10, [64]),
  classes: [...'0123456789'],
  length: 64,
};
const trainLoader = new data.DataLoader(dataset, { batchSize: 4, sampler: new dist.DistributedSampler(64) });
let step = 0;
const trainer = new Trainer({
  model,
  optimizer: new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }),
  trainLoader,
  epochs: 10_000,
  tensorboard: false,
  onBatch: () => console.log(`step ${++step}`),
});
try {
  await trainer.fit();
} catch (error) {
  console.log(`FAILED ${error.name}: ${error.message}`);
  process.exit(3);
}
