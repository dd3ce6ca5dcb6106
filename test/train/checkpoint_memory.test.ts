/**
 * Checkpointing frees what it makes: the model's detached state-dict views and the RNG-state
 * tensor it hands to save() are disposed, so a long run's checkpoints leave no tensors to the
 * garbage collector (which cannot run while a synchronous loop holds the thread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memory, nn, optim, randn, tidy } from '../../lib/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../lib/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-ckpt-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lets the finalizers of earlier tests' forgotten tensors run now, not between two counts. */
async function collectGarbage(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 20));
}

describe('checkpoint memory', () => {
  it('saveCheckpoint and loadCheckpoint leave the live tensors at their baseline', async () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    // Nothing left to the garbage collector, which could otherwise free it mid-test.
    tidy(() => {
      model
        .forward(randn([2, 1, 6, 6]))
        .sum()
        .backward();
      opt.step();
    });
    const path = join(dir, 'checkpoint.safetensors');
    await collectGarbage();
    const baseline = memory().liveTensors;
    for (let i = 0; i < 3; i++) await saveCheckpoint(path, model, opt, { epoch: i, batch: 0 });
    expect(memory().liveTensors).toBe(baseline);
    const state = await loadCheckpoint(path, model, opt);
    expect(state.epoch).toBe(2);
    expect(memory().liveTensors).toBe(baseline);
  });
});
