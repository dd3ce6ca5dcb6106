/** `train --freeze-backbone` (dist/cli.js): only the classifier changes, batch norm statistics included. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { load, resnet20, save, type Tensor } from '../../lib/index.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-cli-fine-tune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

describe('resnet-native train --freeze-backbone', () => {
  it('keeps every backbone tensor, running statistics too, and trains the classifier', async () => {
    const start = join(dir, 'start.safetensors');
    await save(resnet20({ inChannels: 1 }).stateDict(), start);
    const out = join(dir, 'run');
    await exec('node', [
      cli, 'train', '--weights', start, '--freeze-backbone', '--limit-train', '64', '--limit-test', '32',
      '--batch-size', '32', '--epochs', '2', '--output-dir', out,
    ]); // prettier-ignore
    const [before, after] = [await load(start), await load(join(out, 'model.safetensors'))];
    const changed = Object.keys(before).filter((k) => values(before[k]!).join() !== values(after[k]!).join());
    expect(changed.sort()).toEqual(['linear.bias', 'linear.weight']);
  }, 120_000);
});
