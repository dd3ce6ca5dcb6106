import { beforeEach, describe, expect, it } from 'vitest';
import { DisposedError, memory, ones, randn, tidy, zeros } from '../../lib/index.js';

describe('memory and disposal', () => {
  // The collector frees forgotten tensors whenever it runs, allocations included: the counts
  // below start from a heap with no garbage of earlier tests left to collect mid-test.
  beforeEach(() => globalThis.gc?.());

  it('counts live tensors and distinct storage bytes', () => {
    const before = memory();
    const a = zeros([256, 256]);
    const view = a.reshape([-1]);
    const after = memory();
    expect(after.liveTensors - before.liveTensors).toBe(2);
    expect(after.cpuBytes - before.cpuBytes).toBe(256 * 256 * 4); // the view shares a's storage
    a.dispose();
    expect(memory().cpuBytes - before.cpuBytes).toBe(256 * 256 * 4); // still held by the view
    view.dispose();
    expect(memory()).toMatchObject({ ...before, cpuCachedBytes: expect.any(Number) });
  });

  it('throws DisposedError on any use after dispose', () => {
    const t = ones([2]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.add(1)).toThrow(DisposedError);
    expect(() => t.dataSync()).toThrow(DisposedError);
    expect(() => ones([2]).add(t)).toThrow(/Tensor passed as other was disposed/);
    expect(() => t.dispose()).not.toThrow();
  });

  it('supports using-declarations through Symbol.dispose', () => {
    const before = memory().liveTensors;
    {
      const t = ones([4]);
      t[Symbol.dispose]();
    }
    expect(memory().liveTensors).toBe(before);
  });

  it('tidy disposes intermediates and keeps what is returned', () => {
    const before = memory().liveTensors;
    const { kept, list } = tidy(() => {
      const a = randn([8]);
      const b = a.mul(2).add(1);
      return { kept: b.exp(), list: [a.neg()] };
    });
    expect(memory().liveTensors - before).toBe(2);
    expect(kept.isDisposed).toBe(false);
    expect(list[0]!.isDisposed).toBe(false);
    const inner = tidy(() => tidy(() => ones([1]).add(1)));
    expect(inner.item()).toBe(2);
    expect(memory().liveTensors - before).toBe(3);
  });

  it('tidy still disposes when fn throws', () => {
    const before = memory().liveTensors;
    expect(() =>
      tidy(() => {
        ones([3]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(memory().liveTensors).toBe(before);
  });

  it('frees tensors the program forgot, through the garbage collector', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('vitest.config.ts runs the tests with --expose-gc');
    const before = memory().liveTensors;
    for (let i = 0; i < 100; i++) zeros([1000]);
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    await new Promise((r) => setTimeout(r, 50));
    // All of them, not just some: a finalizer that frees one tensor in ten would pass "< 100".
    expect(memory().liveTensors - before).toBeLessThanOrEqual(1);
  });
});
