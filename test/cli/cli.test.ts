/**
 * The command line as a user runs it (the built dist/cli.js): a training run killed with
 * SIGKILL in the middle of an epoch and resumed from its checkpoint ends with the same test
 * accuracy as an uninterrupted run; info and predict work.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = (out: string) => [
  'train', '--limit-train', '1024', '--limit-test', '512', '--epochs', '2', '--batch-size', '64',
  '--checkpoint-every', '1', '--seed', '5', '--random-erase', '0.25', '--output-dir', join(dir, out),
]; // prettier-ignore
const accuracy = (stdout: string) => /test accuracy: (\d\.\d{4})/.exec(stdout)?.[1];

describe('resnet-native CLI', () => {
  it('resumes a run killed mid-epoch to the same test accuracy as an uninterrupted run', async () => {
    const full = await exec('node', [cli, ...flags('full')]);
    const expected = accuracy(full.stdout);
    expect(expected).toBeDefined();

    // Kill -9 shortly after epoch 1 ends: inside epoch 2, with a mid-epoch checkpoint written.
    const child = spawn('node', [cli, ...flags('cut')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const killed = await new Promise<NodeJS.Signals | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/epoch 1:/.test(output)) setTimeout(() => child.kill('SIGKILL'), 1200);
      });
      child.on('exit', (_code, signal) => resolve(signal));
    });
    expect(killed).toBe('SIGKILL');
    expect(accuracy(output)).toBeUndefined();
    const checkpoint = join(dir, 'cut', 'checkpoint.safetensors');
    expect(existsSync(checkpoint)).toBe(true);

    const resumed = await exec('node', [cli, ...flags('cut'), '--resume', checkpoint]);
    expect(resumed.stdout).toMatch(/resumed from .*: epoch 2, batch \d+/);
    expect(accuracy(resumed.stdout)).toBe(expected);
    const metrics = readFileSync(join(dir, 'cut', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(metrics.at(-1)!).epoch).toBe(2);
    const config = JSON.parse(readFileSync(join(dir, 'cut', 'config.json'), 'utf8'));
    expect(config.transform).toMatch(/Normalize\(.*\), RandomErasing\(p=0.25,/);
  });

  it('info prints versions and threads; predict prints the top classes of an image', async () => {
    const info = await exec('node', [cli, 'info']);
    expect(info.stdout).toMatch(/libtorch\s+\d+\.\d+/);
    const image = join(dir, 'shoe.png');
    await sharp(Buffer.alloc(28 * 28, 200), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(image);
    const weights = join(dir, 'full', 'model.safetensors');
    const out = await exec('node', [
      cli,
      'predict',
      image,
      '--arch',
      'resnet20',
      '--dataset',
      'fashion-mnist',
      '--weights',
      weights,
    ]);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe(image);
    expect(lines.slice(1)).toHaveLength(5);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\s*\d+\.\d{2}%\s+\S/);
  });

  it('explains bad flags', async () => {
    await expect(exec('node', [cli, 'train', '--arch', 'resnet7'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/argument 'resnet7' is invalid/),
    });
    await expect(
      exec('node', [cli, 'train', '--random-erase', '2', '--limit-train', '64']),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /'--random-erase <p>' argument '2' is invalid. Expected a probability in \[0, 1\]/,
      ),
    });
  });
});
