/**
 * A rank that dies (SIGKILL) or hangs (SIGSTOP) mid-training makes the other one stop within
 * the configured timeout, exiting non-zero with a DistributedError that names the lost rank;
 * no process is left behind.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitWithin, freePort, killAll, startRank, waitFor, type Child } from './procs.js';

const child = fileURLToPath(new URL('fail_child.mjs', import.meta.url));
const TIMEOUT_MS = 8000;
/** The heartbeat check after a failure takes about 2 s on top of the timeout. */
const SLACK_MS = 10_000;

async function breakOne(
  victim: 0 | 1,
  signal: 'SIGKILL' | 'SIGSTOP',
): Promise<{ out: string; code: number | string; ms: number }> {
  const children: Child[] = [];
  try {
    const port = await freePort();
    for (const r of [0, 1]) children.push(startRank([child, String(TIMEOUT_MS)], r, 2, port));
    const survivor = children[1 - victim]!;
    await waitFor(survivor, /step 3\n/, 120_000);
    const t0 = Date.now();
    children[victim]!.proc.kill(signal);
    const code = await exitWithin(survivor, TIMEOUT_MS + SLACK_MS);
    return { out: survivor.out(), code, ms: Date.now() - t0 };
  } finally {
    await killAll(children);
  }
}

describe('a lost rank', () => {
  it('killed: the other exits non-zero naming it', { timeout: 180_000 }, async () => {
    const { out, code, ms } = await breakOne(1, 'SIGKILL');
    console.log(
      `[dist] rank 0 stopped ${ms} ms after rank 1 was killed: ${out.split('\n').find((l) => l.startsWith('FAILED'))}`,
    );
    expect(code).toBe(3);
    expect(out).toMatch(/FAILED DistributedError: .*lost rank 1\b/);
  });

  it(
    'hung (stopped): the other exits non-zero within the timeout naming it',
    { timeout: 180_000 },
    async () => {
      const { out, code, ms } = await breakOne(1, 'SIGSTOP');
      console.log(
        `[dist] rank 0 stopped ${ms} ms after rank 1 hung: ${out.split('\n').find((l) => l.startsWith('FAILED'))}`,
      );
      expect(code).toBe(3);
      expect(out).toMatch(/FAILED DistributedError: .*rank 1\b/);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    },
  );

  it('rank 0 killed: the other names rank 0 (whose store is gone)', { timeout: 180_000 }, async () => {
    const { out, code } = await breakOne(0, 'SIGKILL');
    console.log(
      `[dist] rank 1 after rank 0 was killed: ${out.split('\n').find((l) => l.startsWith('FAILED'))}`,
    );
    expect(code).toBe(3);
    expect(out).toMatch(/FAILED DistributedError: .*lost rank 0\b/);
  });
});
