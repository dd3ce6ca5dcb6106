/**
 * The Trainer's native training step (captured from the same TypeScript as the eager loop)
 * against a hand-written eager loop: same seed, same batches, same schedule; the weights, the
 * optimizer state and the losses must be bitwise equal.
 */
import { describe, expect, it } from 'vitest';
import {
  CifarResNet,
  data,
  manualSeed,
  nn,
  optim,
  randint,
  resnet20,
  tidy,
  type Tensor,
} from '../../lib/index.js';
import { Trainer } from '../../lib/train/index.js';

const dataset = (): data.TensorDataset => {
  manualSeed(21);
  const n = 96;
  return {
    kind: 'tensor',
    inputs: randint(0, 256, [n, 1, 12, 12], { dtype: 'uint8' }),
    targets: randint(0, 10, [n]),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    length: n,
  };
};

type MakeOptimizer = (params: Tensor[]) => optim.Optimizer<{ lr: number }>;

function setup(ds: data.TensorDataset, make: MakeOptimizer) {
  manualSeed(3);
  const model = resnet20({ inChannels: 1 });
  const optimizer = make(model.parameters());
  const trainLoader = new data.DataLoader(ds, {
    batchSize: 16,
    shuffle: true,
    seed: 11,
    transform: data.transforms.randomHorizontalFlip(),
  });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, {
    maxLr: optimizer.paramGroups[0]!.options.lr,
    epochs: 2,
    stepsPerEpoch: trainLoader.length,
  });
  return { model, optimizer, scheduler, trainLoader, epochs: 2 };
}

const bits = (t: Tensor) => Array.from(new Uint8Array((t.dataSync() as Float32Array).slice().buffer));

// Whole ResNets and training runs on 2 shared cores: explicit limits (vitest.config.ts is tight).
const slow = 240_000;

describe('the Trainer’s captured training step', () => {
  it.each([
    [
      'SGD (Nesterov, weight decay)',
      (p: Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }),
    ],
    ['AdamW (amsgrad)', (p: Tensor[]) => new optim.AdamW(p, { lr: 1e-3, weightDecay: 1e-2, amsgrad: true })],
    ['Adam (L2 weight decay)', (p: Tensor[]) => new optim.Adam(p, { lr: 1e-3, weightDecay: 1e-3 })],
    [
      'RMSprop (centered, momentum)',
      (p: Tensor[]) => new optim.RMSprop(p, { lr: 1e-3, momentum: 0.9, centered: true, weightDecay: 1e-4 }),
    ],
    ['LARS', (p: Tensor[]) => new optim.LARS(p, { lr: 0.1, weightDecay: 1e-4 })],
  ] as const)(
    '%s: weights, state and losses bitwise equal to an eager loop',
    async (_name, make) => {
      const ds = dataset();
      // The hand-written loop of the README.
      const eager = setup(ds, make);
      const eagerLosses: number[] = [];
      eager.model.train();
      for (let epoch = 0; epoch < 2; epoch++) {
        for await (const { input, target } of eager.trainLoader.epoch(epoch)) {
          eager.optimizer.zeroGrad();
          eagerLosses.push(
            tidy(() => {
              const l = nn.functional.crossEntropy(eager.model.forward(input), target);
              l.backward();
              return l.item();
            }),
          );
          eager.optimizer.step();
          eager.scheduler.step();
          input.dispose();
          target.dispose();
        }
      }
      const native = setup(ds, make);
      const nativeLosses: number[] = [];
      await new Trainer({ ...native, onBatch: (e) => nativeLosses.push(e.loss) }).fit();
      expect(nativeLosses).toEqual(eagerLosses);
      const a = native.model.stateDict();
      const e = eager.model.stateDict();
      expect(Object.keys(a)).toEqual(Object.keys(e));
      for (const k of Object.keys(e)) {
        if (e[k]!.dtype === 'float32') expect(bits(a[k]!), k).toEqual(bits(e[k]!));
        else
          expect(Array.from(a[k]!.dataSync() as BigInt64Array), k).toEqual(
            Array.from(e[k]!.dataSync() as BigInt64Array),
          );
      }
      const sa = native.optimizer.stateDict().state;
      const se = eager.optimizer.stateDict().state;
      for (const [i, s] of Object.entries(se))
        for (const [k, v] of Object.entries(s))
          if (typeof v === 'number') expect(sa[Number(i)]![k]).toBe(v);
          else expect(bits(sa[Number(i)]![k] as Tensor), `${i}.${k}`).toEqual(bits(v));
    },
    slow,
  );

  it(
    'runs the JavaScript step twice (eager, then captured) and replays the rest, following the schedule',
    async () => {
      const ds = dataset();
      const s = setup(ds, (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 }));
      let forwards = 0;
      const model = s.model as CifarResNet;
      const forward = model.forward.bind(model);
      model.forward = (x: Tensor) => (forwards++, forward(x));
      const lrs: number[] = [];
      await new Trainer({
        ...s,
        epochs: 1,
        onBatch: () => lrs.push(s.optimizer.paramGroups[0]!.options.lr),
      }).fit();
      expect(lrs).toHaveLength(6);
      expect(forwards).toBe(2);
      // OneCycle changes the rate every step, and the replays used each new one: the bitwise
      // comparisons above would fail with a rate baked in at capture.
      expect(new Set(lrs).size).toBe(lrs.length);
    },
    slow,
  );

  it(
    'a forward that reads values cannot be captured: the error names the call',
    async () => {
      class Peeks extends nn.Module {
        constructor() {
          super();
          this.registerModule('fc', new nn.Linear(4, 3));
        }
        forward(x: Tensor) {
          if (x.sum().item() > 1e9) throw new Error('unreachable');
          return this.getSubmodule('fc').forward(x);
        }
      }
      manualSeed(1);
      const model = new Peeks();
      const ds: data.TensorDataset = {
        kind: 'tensor',
        inputs: randint(0, 256, [8, 4], { dtype: 'uint8' }),
        targets: randint(0, 3, [8]),
        classes: ['a', 'b', 'c'],
        length: 8,
      };
      const trainer = new Trainer({
        model,
        optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
        trainLoader: new data.DataLoader(ds, { batchSize: 2 }),
        epochs: 1,
      });
      await expect(trainer.fit()).rejects.toThrow(/Cannot capture item\(\).*pass captureSteps: false/);
      // The eager way works, and gives the hand-written loop's result.
      const eagerTrainer = new Trainer({ ...trainer.options, captureSteps: false });
      const history = await eagerTrainer.fit();
      expect(history).toHaveLength(1);
      expect(Number.isFinite(history[0]!.train.loss)).toBe(true);
    },
    slow,
  );
});
