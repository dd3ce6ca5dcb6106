/**
 * `resnet-native train --amp` as a user runs it (dist/cli.js): on CPU it trains under bfloat16
 * autocast, so the same seeded run without --amp ends with other weights; the flag is recorded
 * in the run's config.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-cli-amp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, ...extra: string[]) =>
  exec('node', [
    cli, 'train', '--limit-train', '128', '--limit-test', '64', '--epochs', '1', '--batch-size', '32',
    '--seed', '5', '--output-dir', join(dir, out), ...extra,
  ]); // prettier-ignore

describe('train --amp', () => {
  it('trains under CPU bfloat16 autocast and records it', async () => {
    const [amp, plain] = await Promise.all([run('amp', '--amp'), run('plain')]);
    for (const r of [amp, plain]) expect(r.stdout).toMatch(/test accuracy: \d\.\d{4}/);
    expect(JSON.parse(readFileSync(join(dir, 'amp', 'config.json'), 'utf8')).amp).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'plain', 'config.json'), 'utf8')).amp).toBe(false);
    const weights = (r: string) => readFileSync(join(dir, r, 'model.safetensors'));
    expect(weights('amp').equals(weights('plain'))).toBe(false);
  }, 300_000);
});
