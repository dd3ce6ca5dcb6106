import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  manualSeed,
  nn,
  noGrad,
  randn,
  resnet18,
  resnet20,
  resnet50,
  type Tensor,
} from '../../lib/index.js';

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

/** Eval-mode models with non-trivial running statistics. */
function prepared<M extends nn.Module>(model: M): M {
  noGrad(() => {
    for (const [name, b] of model.namedBuffers()) if (name.endsWith('running_var')) b.uniform_(0.5, 2);
    for (const [name, b] of model.namedBuffers()) if (name.endsWith('running_mean')) b.normal_(0, 0.1);
  });
  return model.eval();
}

describe('forwardAsync', () => {
  it.each([
    ['resnet18', () => resnet18({ numClasses: 7 }), [2, 3, 37, 53]],
    ['resnet50', () => resnet50({ numClasses: 5 }), [1, 3, 45, 45]],
    ['resnet20 (A)', () => resnet20(), [3, 3, 32, 32]],
    ['resnet20 (B, grayscale)', () => resnet20({ shortcut: 'B', inChannels: 1 }), [2, 1, 28, 28]],
    ['resnet20 (plain)', () => resnet20({ plain: true }), [2, 3, 32, 32]],
  ] as const)('%s: equals noGrad(forward) exactly', async (_name, make, shape) => {
    manualSeed(5);
    const model = prepared(make());
    const x = randn([...shape]);
    const expected = noGrad(() => model.forward(x));
    const actual = await model.forwardAsync(x);
    expect(actual.shape).toEqual(expected.shape);
    expect(values(actual)).toEqual(values(expected));
    expect(actual.requiresGrad).toBe(false);
  });

  it('compiles Sequential stacks of layers, and channels_last models', async () => {
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
    const x = randn([2, 3, 11, 11]);
    expect(values(await net.forwardAsync(x))).toEqual(values(noGrad(() => net.forward(x))));
    const model = prepared(resnet20()).to('channels_last');
    const y = randn([2, 3, 32, 32]).contiguous('channels_last');
    expect(values(await model.forwardAsync(y))).toEqual(values(noGrad(() => model.forward(y))));
  });

  it('keeps the event loop free while the network runs', async () => {
    const model = prepared(resnet50());
    const x = randn([4, 3, 160, 160]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await model.forwardAsync(x);
    const ms = performance.now() - started;
    clearInterval(timer);
    // A synchronous forward would allow no tick at all; here the loop keeps turning.
    expect(ms).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(ms / 20);
  });

  it('refuses what it cannot run, with a clear error', async () => {
    class Custom extends nn.Module {
      forward(x: Tensor) {
        return x.mul(2);
      }
    }
    await expect(new Custom().forwardAsync(randn([1]))).rejects.toThrow(/Custom cannot run in forwardAsync/);
    await expect(resnet20().forwardAsync(randn([2, 3, 32, 32]))).rejects.toThrow(ArgumentError);
    await expect(prepared(resnet20()).forwardAsync(randn([2, 5, 32, 32]))).rejects.toThrow(/channels/);
  });
});
