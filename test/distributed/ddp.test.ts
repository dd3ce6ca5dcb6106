/**
 * DistributedDataParallel on two processes (Gloo on loopback): 3 SGD steps of ResNet-20 with
 * batch 8 per rank end with the weights of one process with batch 16, within float32
 * re-association (test/tolerances.json "ddp:float32"), and with identical weights on both
 * ranks, although rank 1 started from other ones. Batch norm is in eval mode, as in PyTorch's
 * own DDP tests, so per-rank batch statistics cannot make the two runs differ.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { load, manualSeed, resnet20, type Tensor } from '../../lib/index.js';
import { TOLERANCES } from '../helpers/compare.js';
import { exitWithin, freePort, killAll, start, startRank, type Child } from './procs.js';

const child = fileURLToPath(new URL('ddp_child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-ddp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tolerance = TOLERANCES['ddp:float32'];

function maxAbsDiff(a: Record<string, Tensor>, b: Record<string, Tensor>): number {
  let max = 0;
  for (const [k, t] of Object.entries(a)) {
    const x = t.dataSync();
    const y = b[k]!.dataSync();
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return max;
}

describe('DistributedDataParallel', () => {
  it('two ranks with batch 8 end where one process with batch 16 does', { timeout: 240_000 }, async () => {
    const children: Child[] = [];
    try {
      const single = start([child, join(dir, 'single'), '16']);
      children.push(single);
      expect(await exitWithin(single, 120_000), single.out()).toBe(0);
      const port = await freePort();
      const ranks = [0, 1].map((r) => startRank([child, join(dir, 'ddp'), '8'], r, 2, port));
      children.push(...ranks);
      for (const r of ranks) expect(await exitWithin(r, 120_000), r.out()).toBe(0);
    } finally {
      await killAll(children);
    }
    const one = await load(join(dir, 'single', 'weights-0.safetensors'));
    const rank0 = await load(join(dir, 'ddp', 'weights-0.safetensors'));
    const rank1 = await load(join(dir, 'ddp', 'weights-1.safetensors'));
    manualSeed(1); // the children's initial weights
    const initial = resnet20().stateDict();
    expect(maxAbsDiff(rank0, rank1)).toBe(0);
    const apart = maxAbsDiff(rank0, one);
    console.log(`[ddp] max |2 ranks x 8 - 1 process x 16| = ${apart}`);
    expect(apart).toBeLessThanOrEqual(tolerance.atol);
    // The steps did move the weights, far beyond that tolerance.
    expect(maxAbsDiff(one, initial)).toBeGreaterThan(1000 * tolerance.atol);
  });
});
