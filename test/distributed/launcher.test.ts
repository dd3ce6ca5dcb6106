/**
 * `train --nproc-per-node 2` as a user runs it (dist/cli.js): two processes train one short
 * epoch of Fashion-MNIST as one job, only rank 0 writes the run folder (one metrics line, one
 * model file), and the launcher exits 0 with no process left.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin, killAll, start, type Child } from './procs.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train --nproc-per-node', () => {
  it('trains one job in two processes, rank 0 writing', { timeout: 300_000 }, async () => {
    const out = join(dir, 'run');
    const children: Child[] = [];
    try {
      const launcher = start([
        cli, 'train', '--nproc-per-node', '2', '--epochs', '1', '--limit-train', '128', '--limit-test', '64',
        '-b', '16', '--threads', '1', '--lr-scheduler', 'constant', '--lr', '0.05', '--output-dir', out,
      ]); // prettier-ignore
      children.push(launcher);
      expect(await exitWithin(launcher, 280_000), launcher.out()).toBe(0);
      expect(launcher.out()).toMatch(/batch 16 x 2 processes/);
      expect(launcher.out()).toMatch(/test accuracy: \d\.\d{4}/);
    } finally {
      await killAll(children);
    }
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    // 128 images in 2 shards of 64: 4 batches of 16 per rank
    expect(JSON.parse(lines[0]!).train.images).toBe(64);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
  });

  it('refuses a node rank outside the job before starting anything', { timeout: 60_000 }, async () => {
    const launcher = start([cli, 'train', '--nproc-per-node', '2', '--nnodes', '2', '--node-rank', '2']);
    try {
      expect(await exitWithin(launcher, 50_000)).not.toBe(0);
      expect(launcher.out()).toMatch(/--node-rank 2 must be below --nnodes 2/);
    } finally {
      await killAll([launcher]);
    }
  });
});
