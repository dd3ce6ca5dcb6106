/**
 * memory() counts each live tensor by the storage it holds now: `module.to()` converts
 * parameters in place (their handles stay), so the bytes seen when a handle was made are stale.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { cuda, memory, nn } from '../../lib/index.js';

describe('memory accounting after in-place conversions', () => {
  // No garbage of earlier tests left for a collection to free mid-test (test/core/memory.test.ts).
  beforeEach(() => globalThis.gc?.());

  it('module.to(float64) doubles the bytes counted, and dispose() returns to the baseline', () => {
    const baseline = memory();
    const model = new nn.Linear(100, 50);
    const floats = (100 * 50 + 50) * 4;
    expect(memory().cpuBytes - baseline.cpuBytes).toBe(floats);
    model.to('float64');
    expect(memory().cpuBytes - baseline.cpuBytes).toBe(2 * floats);
    model.to('float32');
    expect(memory().cpuBytes - baseline.cpuBytes).toBe(floats);
    model.dispose();
    expect(memory()).toMatchObject({ ...baseline, cpuCachedBytes: expect.any(Number) });
  });

  it('module.to(cuda) moves the bytes to cudaBytes', (ctx) => {
    if (!cuda.isAvailable()) {
      console.log('[memory] no CUDA device: the CUDA accounting case did not run');
      ctx.skip();
    }
    const baseline = memory();
    const model = new nn.Linear(100, 50);
    const floats = (100 * 50 + 50) * 4;
    model.to('cuda');
    expect(memory().cpuBytes - baseline.cpuBytes).toBe(0);
    expect(memory().cudaBytes - baseline.cudaBytes).toBe(floats);
    model.dispose();
    expect(memory()).toMatchObject({ ...baseline, cpuCachedBytes: expect.any(Number) });
  });
});
