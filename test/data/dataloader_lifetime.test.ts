/**
 * The DataLoader's prefetched batches: a failing batch is reported where it is awaited (never
 * as an unhandled rejection that ends the process), and batches prepared ahead are disposed
 * when the loop stops early (break, throw) or fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { data, memory, tensor } from '../../lib/index.js';
import type { ItemDataset, Sample } from '../../lib/data/index.js';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};
/** Lets the finalizers of earlier tests' forgotten tensors run now, not between two counts. */
const collectGarbage = async (): Promise<void> => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 20));
};

/** Items of 1×2×2 pixels; item `bad` rejects (as a corrupt JPEG does in an ImageFolder). */
function items(length: number, bad = -1): ItemDataset {
  return {
    kind: 'items',
    classes: ['a'],
    length,
    async get(i: number): Promise<Sample> {
      await new Promise((r) => setImmediate(r));
      if (i === bad) throw new Error(`corrupt image ${i}`);
      return { pixels: new Uint8Array(4).fill(i), shape: [1, 2, 2], target: 0 };
    },
  };
}

const tensors = () => ({
  kind: 'tensor' as const,
  inputs: tensor(new Uint8Array(40), { shape: [10, 1, 2, 2] }),
  targets: tensor(new BigInt64Array(10)),
  classes: [],
  length: 10,
});

describe('DataLoader batch lifetime', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(async () => {
    unhandled.length = 0;
    await collectGarbage();
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => void process.off('unhandledRejection', onUnhandled));

  it('reports a failing prefetched batch at its await, catchable around for-await', async () => {
    const loader = new data.DataLoader(items(8, 5), { batchSize: 2, prefetch: 3 });
    const before = memory().liveTensors;
    const seen: number[] = [];
    let caught: unknown;
    try {
      for await (const b of loader.epoch(0)) {
        // A slow step: the failing batch settles meanwhile, before it is awaited.
        await settle();
        seen.push(b.index);
        b.input.dispose();
        b.target.dispose();
      }
    } catch (err) {
      caught = err;
    }
    await settle();
    expect(String(caught)).toMatch(/corrupt image 5/);
    expect(seen).toEqual([0, 1]);
    expect(unhandled).toEqual([]);
    expect(memory().liveTensors).toBe(before); // batch 3, made before the failure, is freed
  });

  for (const [kind, make] of [
    ['items', () => items(10)],
    ['tensors', tensors],
  ] as const) {
    it(`disposes the prefetched batches after a break (${kind})`, async () => {
      const ds = make();
      const before = memory().liveTensors;
      const loader = new data.DataLoader(ds, { batchSize: 2, prefetch: 3 });
      for await (const b of loader.epoch(0)) {
        b.input.dispose();
        b.target.dispose();
        if (b.index === 1) break;
      }
      await settle();
      expect(memory().liveTensors).toBe(before);
    });
  }

  it('disposes the prefetched batches when the loop body throws', async () => {
    const before = memory().liveTensors;
    const loader = new data.DataLoader(items(10), { batchSize: 2, prefetch: 2 });
    await expect(
      (async () => {
        for await (const b of loader.epoch(0)) {
          b.input.dispose();
          b.target.dispose();
          throw new Error('step failed');
        }
      })(),
    ).rejects.toThrow('step failed');
    await settle();
    expect(memory().liveTensors).toBe(before);
  });
});
