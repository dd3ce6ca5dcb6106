/**
 * The device paths on the suite's device (RESNET_NATIVE_TEST_DEVICE, test/helpers/device.ts): on
 * the CPU (the default) they must give exactly what the code without a device gives, bit for
 * bit; on a GPU, the same within that device's tolerance. Training, checkpoints, transforms,
 * optimizers and captured forwards with `device`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  backends,
  cuda,
  data,
  manualSeed,
  nn,
  noGrad,
  optim,
  randint,
  randn,
  tensor,
  type Tensor,
} from '../../lib/index.js';
import { readSafetensorsFile } from '../../lib/io/safetensors_file.js';
import { loadCheckpoint, saveCheckpoint, Trainer } from '../../lib/train/index.js';
import { expectClose, toleranceFor } from '../helpers/compare.js';
import { announceSkip, deviceSkip, onCuda, TEST_DEVICE } from '../helpers/device.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-devices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small convolutional classifier: conv, batch norm, pooling, linear (every layer kind a ResNet has). */
function smallNet(seed: number): nn.Module {
  manualSeed(seed);
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.AdaptiveAvgPool2d([2, 2]),
    new nn.Flatten(),
    new nn.Linear(16, 3),
  );
}

function dataset(): data.TensorDataset {
  manualSeed(99);
  return {
    kind: 'tensor',
    inputs: randn([24, 1, 8, 8]),
    targets: randint(0, 3, [24]),
    classes: ['a', 'b', 'c'],
    length: 24,
  };
}

/** One epoch of 6 batches; `device` undefined is the code path without a device. */
async function trainRun(device: typeof TEST_DEVICE | undefined, captureSteps: boolean) {
  const ds = dataset();
  const model = smallNet(7);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const trainLoader = new data.DataLoader(ds, {
    batchSize: 4,
    shuffle: true,
    seed: 3,
    transform: data.transforms.compose([
      data.transforms.normalize([0.5], [2]),
      data.transforms.randomHorizontalFlip(),
    ]),
    pinMemory: onCuda,
  });
  const losses: number[] = [];
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    epochs: 1,
    captureSteps,
    onBatch: (e) => losses.push(e.loss),
    ...(device === undefined ? {} : { device }),
  });
  await trainer.fit();
  const params = model.parameters().map((p) => p.cpu());
  model.dispose();
  ds.inputs.dispose();
  ds.targets.dispose();
  return { losses, params };
}

describe.skipIf(announceSkip(deviceSkip, 'device tests'))(`on ${TEST_DEVICE}`, () => {
  it.each([true, false])(
    'the Trainer with device gives the run without it (captured steps: %s)',
    async (captureSteps) => {
      const plain = await trainRun(onCuda ? TEST_DEVICE : undefined, captureSteps);
      const onDevice = await trainRun(TEST_DEVICE, captureSteps);
      if (!onCuda) {
        // CPU: the same numbers, bit for bit.
        expect(onDevice.losses).toEqual(plain.losses);
        onDevice.params.forEach((p, i) => expect(p.dataSync()).toEqual(plain.params[i]!.dataSync()));
      } else {
        // GPU: the same run as on the CPU within the device's float32 tolerance.
        const cpu = await trainRun('cpu', captureSteps);
        const tol = toleranceFor('float32', TEST_DEVICE);
        onDevice.losses.forEach((l, i) =>
          expect(Math.abs(l - cpu.losses[i]!)).toBeLessThanOrEqual(
            tol.atol + tol.rtol * Math.abs(cpu.losses[i]!),
          ),
        );
        onDevice.params.forEach((p, i) => expectClose(p, cpu.params[i]!, tol, `param ${i}`));
      }
      for (const p of [...plain.params, ...onDevice.params]) p.dispose();
    },
    60_000,
  );

  it('the Trainer leaves cudnn.benchmark as it found it', async () => {
    const before = backends.cudnn.benchmark;
    let during: boolean | undefined;
    const ds = dataset();
    const model = smallNet(1);
    const trainer = new Trainer({
      model,
      optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }),
      trainLoader: new data.DataLoader(ds, { batchSize: 12 }),
      epochs: 1,
      device: TEST_DEVICE,
      onBatch: () => (during = backends.cudnn.benchmark),
    });
    await trainer.fit();
    // On a GPU it is on while training (torchvision's default); the CPU never touches it.
    expect(during).toBe(onCuda ? true : before);
    expect(backends.cudnn.benchmark).toBe(before);
    model.dispose();
  });

  it('a checkpoint restores the model, the optimizer state on its device, and every generator', async () => {
    const model = smallNet(2).to(TEST_DEVICE);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn([4, 1, 8, 8], { device: TEST_DEVICE });
    const y = randint(0, 3, [4], { device: TEST_DEVICE });
    nn.functional.crossEntropy(model.forward(x), y).backward();
    optimizer.step();
    const path = join(dir, 'ckpt.safetensors');
    await saveCheckpoint(path, model, optimizer, { epoch: 1, batch: 0 });
    const { tensors } = await readSafetensorsFile(path);
    const rngKeys = [...tensors.keys()].filter((k) => k.startsWith('rng.'));
    expect(rngKeys).toEqual([
      'rng.cpu',
      ...Array.from({ length: cuda.deviceCount() }, (_, i) => `rng.cuda:${i}`),
    ]);
    const next = randn([3], { device: TEST_DEVICE });

    const restored = smallNet(3).to(TEST_DEVICE);
    const opt2 = new optim.SGD(restored.parameters(), { lr: 0.1, momentum: 0.9 });
    await loadCheckpoint(path, restored, opt2);
    expect(randn([3], { device: TEST_DEVICE }).dataSync()).toEqual(next.dataSync());
    const buffers = opt2.stateDict().state;
    for (const s of Object.values(buffers)) {
      const b = s['momentum_buffer'] as Tensor;
      expect(b.device).toBe(TEST_DEVICE);
    }
    restored.parameters().forEach((p, i) => expect(p.dataSync()).toEqual(model.parameters()[i]!.dataSync()));
    model.dispose();
    restored.dispose();
  });

  it('forwardAsync (a captured program, plain path) gives forward on the device exactly', async () => {
    const model = smallNet(4).to(TEST_DEVICE).eval();
    const x = randn([2, 1, 8, 8], { device: TEST_DEVICE });
    const eager = noGrad(() => model.forward(x));
    for (let i = 0; i < 3; i++) {
      const replayed = await model.forwardAsync(x, { fastPath: false });
      expect(replayed.device).toBe(TEST_DEVICE);
      expect(replayed.dataSync()).toEqual(eager.dataSync());
      replayed.dispose();
    }
    model.dispose();
  });

  it('normalize and the random transforms run on batches on the device', () => {
    const x = randn([4, 3, 5, 5], { device: TEST_DEVICE });
    const norm = data.transforms.normalize([0.1, 0.2, 0.3], [1, 2, 4]);
    const out = norm.apply(x, new data.Rng(1, 0, 1));
    const m = tensor([0.1, 0.2, 0.3], { shape: [1, 3, 1, 1], device: TEST_DEVICE });
    const s = tensor([1, 2, 4], { shape: [1, 3, 1, 1], device: TEST_DEVICE });
    expect(out.device).toBe(TEST_DEVICE);
    expect(out.dataSync()).toEqual(x.sub(m).div(s).dataSync());
    for (const t of [
      data.transforms.randomHorizontalFlip(),
      data.transforms.randomErasing(1),
      data.transforms.randomCrop(5, { padding: 1 }),
    ])
      expect(t.apply(x, new data.Rng(1, 0, 1)).device).toBe(TEST_DEVICE);
  });

  it('a DataLoader over tensors on the device makes its batches there', async () => {
    const ds = dataset();
    const onDev: data.TensorDataset = {
      ...ds,
      inputs: ds.inputs.to(TEST_DEVICE),
      targets: ds.targets.to(TEST_DEVICE),
    };
    const plain = [];
    for await (const b of new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 1 }).epoch(0))
      plain.push(b);
    let i = 0;
    for await (const b of new data.DataLoader(onDev, { batchSize: 8, shuffle: true, seed: 1 }).epoch(0)) {
      expect(b.input.device).toBe(TEST_DEVICE);
      expect(b.input.dataSync()).toEqual(plain[i]!.input.dataSync());
      expect(b.target.dataSync()).toEqual(plain[i++]!.target.dataSync());
    }
    expect(i).toBe(3);
  });
});
