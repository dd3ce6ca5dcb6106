/**
 * Async work fails as sync work does: the same error class and cleaned message, and a stack
 * that leads back to the JavaScript call that started it.
 */
import { describe, expect, it } from 'vitest';
import { ResnetNativeError, TorchError, nn, ones, randn } from '../../lib/index.js';

const rejection = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return new Error('did not throw');
};

describe('async errors', () => {
  it('data() rejects as dataSync() throws, with the stack of its caller', async () => {
    // A 4 TiB read-back of a broadcast view: the allocation fails inside libtorch.
    const huge = ones([1]).expand([2 ** 40]);
    const sync = thrown(() => huge.dataSync());
    const async = await rejection(huge.data());
    expect(sync).toBeInstanceOf(TorchError);
    expect(async).toBeInstanceOf(sync.constructor);
    expect(async.message).toBe(sync.message);
    expect(async.message).not.toMatch(/\n$|Exception raised from/);
    expect(async.stack).toMatch(/read-back started at[\s\S]*async_errors\.test\.ts/);
  });

  it('forwardAsync rejects with the error class forward() throws, with the stack of its caller', async () => {
    const conv = new nn.Conv2d(3, 4, 3).eval();
    const wrong = randn([1, 5, 8, 8]);
    const sync = thrown(() => conv.forward(wrong));
    // The first call captures eagerly, the second replays natively: both must agree.
    await conv.forwardAsync(randn([1, 3, 8, 8]));
    await conv.forwardAsync(randn([1, 3, 8, 8]));
    const async = await rejection(conv.forwardAsync(wrong));
    expect(sync).toBeInstanceOf(ResnetNativeError);
    expect(async).toBeInstanceOf(sync.constructor);
    expect(async.message).toBe(sync.message);
    expect(async.stack).toMatch(/async_errors\.test\.ts/);
  });
});
