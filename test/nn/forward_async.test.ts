import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  BasicBlock,
  ResNet,
  capture,
  getNumThreads,
  getReplayNice,
  manualSeed,
  nn,
  noGrad,
  randn,
  resnet18,
  resnet20,
  resnet50,
  setReplayNice,
  type Tensor,
} from '../../lib/index.js';
import { chain } from '../../lib/nn/chain.js';

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array | Float64Array);

/** Eval-mode models with non-trivial running statistics. */
function prepared<M extends nn.Module>(model: M): M {
  noGrad(() => {
    for (const [name, b] of model.namedBuffers()) if (name.endsWith('running_var')) b.uniform_(0.5, 2);
    for (const [name, b] of model.namedBuffers()) if (name.endsWith('running_mean')) b.normal_(0, 0.1);
  });
  return model.eval();
}

/** Squeeze-and-excitation: mean over H and W, linear, relu, linear, sigmoid, multiply. */
class SqueezeExcitation extends nn.Module {
  constructor(readonly channels: number) {
    super();
    this.registerModule('fc1', new nn.Linear(channels, channels / 4));
    this.registerModule('fc2', new nn.Linear(channels / 4, channels));
  }
  forward(x: Tensor): Tensor {
    const s = x.mean([2, 3]);
    const w = this.getSubmodule('fc2').forward(this.getSubmodule('fc1').forward(s).relu()).sigmoid();
    return x.mul(w.reshape([x.shape[0]!, this.channels, 1, 1]));
  }
}

/** A user subclass of torchvision's ResNet-18 whose forward returns the 512 pooled features. */
class Features extends ResNet {
  constructor() {
    super(BasicBlock, [2, 2, 2, 2]);
  }
  override forward(x: Tensor): Tensor {
    const names = ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool'];
    return chain(x, [...names.map((n) => this.getSubmodule(n)), (t: Tensor) => t.flatten(1)]);
  }
}

/** Largest relative difference, elementwise against max(|e|, 1e-30). */
function maxRelative(a: Tensor, e: Tensor): number {
  const av = values(a);
  const ev = values(e);
  expect(av.length).toBe(ev.length);
  return Math.max(...av.map((v, i) => Math.abs(v - ev[i]!) / Math.max(Math.abs(ev[i]!), 1e-30)));
}

// These tests check the capture itself, which replays exactly what the eager forward did: the
// inference fast path (which folds batch norm, so equal only within rounding) is off here and
// tested in fast_path.test.ts.
const exact = { fastPath: false } as const;

// Whole ResNets and training runs on 2 shared cores: explicit limits (vitest.config.ts is tight).
const slow = 240_000;

describe('forwardAsync (capture, then replay off the JavaScript thread)', () => {
  it.each([
    ['resnet18', () => resnet18({ numClasses: 7 }), [2, 3, 37, 53]],
    ['resnet50', () => resnet50({ numClasses: 5 }), [1, 3, 45, 45]],
    ['resnet20 (A)', () => resnet20(), [3, 3, 32, 32]],
    ['resnet20 (B, grayscale)', () => resnet20({ shortcut: 'B', inChannels: 1 }), [2, 1, 28, 28]],
    ['resnet20 (plain)', () => resnet20({ plain: true }), [2, 3, 32, 32]],
  ] as const)(
    '%s: equals noGrad(forward) exactly, at capture and at replay',
    async (_name, make, shape) => {
      manualSeed(5);
      const model = prepared(make());
      for (const x of [randn([...shape]), randn([...shape])]) {
        const expected = noGrad(() => model.forward(x));
        const actual = await model.forwardAsync(x, exact);
        expect(actual.shape).toEqual(expected.shape);
        expect(values(actual)).toEqual(values(expected));
        expect(actual.requiresGrad).toBe(false);
      }
    },
    slow,
  );

  it.each(['float64', 'float32'] as const)(
    'user modules (%s): a squeeze-and-excitation block and a resnet18 feature extractor, at two batch sizes',
    async (dtype) => {
      manualSeed(11);
      const se = new SqueezeExcitation(16).to(dtype);
      const features = prepared(new Features()).to(dtype);
      for (const [module, shape] of [
        [se, [3, 16, 7, 5]],
        [features, [2, 3, 64, 64]],
      ] as const) {
        for (const batch of [shape[0], shape[0] + 2, shape[0]]) {
          const x = randn([batch, ...shape.slice(1)], { dtype });
          const expected = noGrad(() => module.forward(x));
          const actual = await module.forwardAsync(x, exact);
          expect(actual.dtype).toBe(dtype);
          expect(actual.shape).toEqual(expected.shape);
          if (module === features) expect(actual.shape).toEqual([batch, 512]);
          if (dtype === 'float64') expect(values(actual)).toEqual(values(expected));
          else expect(maxRelative(actual, expected)).toBeLessThanOrEqual(1e-6);
        }
      }
    },
    slow,
  );

  it(
    'replays (not re-runs) after the first call: the JavaScript forward is not called again',
    async () => {
      let calls = 0;
      class Counting extends nn.Module {
        forward(x: Tensor) {
          calls++;
          return x.mul(2).add(1);
        }
      }
      const m = new Counting();
      const x = randn([2, 3]);
      await m.forwardAsync(x, exact);
      const y = randn([2, 3]);
      const out = await m.forwardAsync(y, exact);
      expect(calls).toBe(1);
      expect(values(out)).toEqual(values(y.mul(2).add(1)));
      await m.forwardAsync(randn([4, 3])); // a new shape captures again
      expect(calls).toBe(2);
    },
    slow,
  );

  it(
    'captures again when the mode or the parameters change',
    async () => {
      manualSeed(3);
      const model = prepared(resnet20());
      const x = randn([2, 3, 32, 32]);
      await model.forwardAsync(x, exact);
      model.train();
      const trainMode = noGrad(() => model.forward(x));
      model.eval();
      // Train-mode batch norm: the same as noGrad(forward) in train mode (batch statistics).
      model.train();
      const asyncTrain = await model.forwardAsync(x, exact);
      expect(maxRelative(asyncTrain, trainMode)).toBeLessThan(1e-5);
      model.eval();
      model.registerModule('linear', new nn.Linear(64, 3));
      const out = await model.forwardAsync(x, exact);
      expect(out.shape).toEqual([2, 3]);
      expect(values(out)).toEqual(values(noGrad(() => model.forward(x))));
    },
    slow,
  );

  it(
    'channels_last models, and Sequential stacks of layers',
    async () => {
      const net = new nn.Sequential(
        new nn.Conv2d(3, 8, 3, { padding: 1 }),
        new nn.BatchNorm2d(8),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.AvgPool2d(2, { ceilMode: true }),
        new nn.AdaptiveAvgPool2d(1),
        new nn.Flatten(),
        new nn.Dropout(),
        new nn.Linear(8, 4),
      ).eval();
      for (let i = 0; i < 2; i++) {
        const x = randn([2, 3, 11, 11]);
        expect(values(await net.forwardAsync(x, exact))).toEqual(values(noGrad(() => net.forward(x))));
      }
      const model = prepared(resnet20()).to('channels_last');
      for (let i = 0; i < 2; i++) {
        const y = randn([2, 3, 32, 32]).contiguous('channels_last');
        expect(values(await model.forwardAsync(y, exact))).toEqual(values(noGrad(() => model.forward(y))));
      }
    },
    slow,
  );

  it(
    "loadStateDict(B) during a replay on weights A returns A's output exactly",
    async () => {
      manualSeed(7);
      const model = prepared(resnet50());
      const weightsB = prepared(resnet50()).stateDict();
      const x = randn([2, 3, 96, 96]);
      const expectedA = noGrad(() => model.forward(x));
      await model.forwardAsync(x, exact); // capture
      const running = model.forwardAsync(x, exact);
      model.loadStateDict(weightsB); // waits for the replay rather than change weights under it
      const outA = await running;
      expect(values(outA)).toEqual(values(expectedA));
      const outB = await model.forwardAsync(x, exact);
      expect(values(outB)).toEqual(values(noGrad(() => model.forward(x))));
      expect(values(outB)).not.toEqual(values(expectedA));
    },
    slow,
  );

  it(
    'dispose() of the input or the model during a replay frees nothing under it',
    async () => {
      const model = prepared(resnet20());
      const x = randn([2, 3, 32, 32]);
      const expected = noGrad(() => model.forward(x));
      await model.forwardAsync(x, exact);
      const y = x.clone();
      const running = model.forwardAsync(y, exact);
      y.dispose();
      model.dispose();
      expect(values(await running)).toEqual(values(expected));
    },
    slow,
  );

  it(
    'keeps the event loop free while the network runs',
    async () => {
      const model = prepared(resnet50());
      const x = randn([4, 3, 160, 160]);
      await model.forwardAsync(x, exact); // capture (eager, on this thread)
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const started = performance.now();
      await model.forwardAsync(x, exact);
      const ms = performance.now() - started;
      clearInterval(timer);
      // A synchronous forward would allow no tick at all; here the loop keeps turning.
      expect(ms).toBeGreaterThan(50);
      expect(ticks).toBeGreaterThan(ms / 20);
    },
    slow,
  );

  it(
    'refuses what cannot be captured, and reports replay errors as typed errors',
    async () => {
      class ReadsValues extends nn.Module {
        forward(x: Tensor) {
          return x.mul(x.sum().item());
        }
      }
      await expect(new ReadsValues().forwardAsync(randn([3]))).rejects.toThrow(
        /Cannot capture item\(\).*reads tensor values into JavaScript/,
      );
      class ReturnsNumber extends nn.Module {
        forward() {
          return 3 as unknown as Tensor;
        }
      }
      await expect(new ReturnsNumber().forwardAsync(randn([3]))).rejects.toThrow(ArgumentError);
      await expect(prepared(resnet20()).forwardAsync(randn([2, 5, 32, 32]))).rejects.toThrow(/channels/);
      // A capture that failed leaves nothing recording: ordinary calls work and are not recorded.
      expect(randn([2]).sum().item()).toBeTypeOf('number');
    },
    slow,
  );

  it(
    'retires its replay thread when idle, so no second OpenMP team outlives the replays',
    async () => {
      // While a replay thread's team exists, libgomp throttles every team's spinning, and a
      // synchronous forward on this thread slows down (bench/results/forward-async-slowdown.md).
      const threads = () => readdirSync('/proc/self/task').length;
      const model = prepared(resnet20());
      const x = randn([8, 3, 32, 32]);
      noGrad(() => model.forward(x)).dispose(); // this thread's team exists before the baseline
      const before = threads();
      for (let i = 0; i < 2; i++) (await model.forwardAsync(x)).dispose();
      const running = model.forwardAsync(x); // the program is captured: this submits at once
      const during = threads();
      (await running).dispose();
      let after = during;
      for (let waited = 0; waited < 2000 && after > before; waited += 10) {
        await new Promise((r) => setTimeout(r, 10));
        after = threads();
      }
      expect(during).toBeGreaterThan(before);
      expect(after).toBe(before);
    },
    slow,
  );

  it(
    'runs replays at the niceness setReplayNice asks for, and the JavaScript thread at its own',
    async () => {
      // The nice value of each of this process's threads (field 19 of /proc/<tid>/stat).
      // A thread may exit between the listing and the read (an idle replay thread retires):
      // it is left out.
      const nices = () =>
        readdirSync('/proc/self/task').flatMap((tid) => {
          let stat: string;
          try {
            stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw error;
          }
          return [{ tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) }];
        });
      const model = prepared(resnet20());
      // A replay long enough (tens of ms) for the polling below to see its threads.
      const x = randn([64, 3, 32, 32]);
      for (let i = 0; i < 2; i++) (await model.forwardAsync(x)).dispose(); // captured
      await new Promise((r) => setTimeout(r, 50)); // the replay thread retires
      expect(() => setReplayNice(20)).toThrow(/0 to 19 for nice.*20/);
      expect(() => setReplayNice(1.5)).toThrow(ArgumentError);
      setReplayNice(7);
      try {
        expect(getReplayNice()).toBe(7);
        let done = false;
        const running = model.forwardAsync(x).finally(() => (done = true));
        let niced = 0; // the most threads seen at 7 at once during the replay
        while (!done) {
          const seen = nices();
          niced = Math.max(niced, seen.filter((t) => t.nice === 7).length);
          expect(seen.find((t) => t.tid === process.pid)!.nice).toBe(0);
          await new Promise((r) => setTimeout(r, 0));
        }
        (await running).dispose();
        // The replay thread and the OpenMP workers it started; nothing was at 7 before.
        expect(niced).toBeGreaterThanOrEqual(getNumThreads() > 1 ? 2 : 1);
      } finally {
        setReplayNice(0);
      }
    },
    slow,
  );

  it(
    'capture() records the ops of any function; steps name them',
    () => {
      const x = randn([2, 2]);
      const { result, program } = capture(
        [x],
        () => x.relu().add(1),
        (r) => [r],
      );
      expect(program.steps).toEqual(['relu', 'add']);
      expect(values(result)).toEqual(values(x.relu().add(1)));
      program.dispose();
      expect(() => program.steps).toThrow(/disposed/);
    },
    slow,
  );
});
