/**
 * The command line as a user runs it (dist/cli.js, rebuilt by test/global_setup.ts): a training
 * run SIGKILLed at a mid-epoch checkpoint and resumed (in its own folder) ends with byte-identical weights to an
 * uninterrupted run; predict prints the trained model's own top-5; info and bad flags.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointState, killAtMidEpoch } from './kill_mid_epoch.js';
import { parsePercents, parsePredictions, topClasses, writeTestImages } from './predictions.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Two 512-image training runs and a resumed half: ~2 min on 2 cores shared by 3 people. */
const TRAINING_MS = 400_000;

const flags = (out: string) => [
  'train', '--limit-train', '512', '--limit-test', '256', '--epochs', '2', '--batch-size', '64',
  '--checkpoint-every', '1', '--seed', '5', '--random-erase', '0.25', '--output-dir', join(dir, out),
]; // prettier-ignore
const accuracy = (stdout: string) => /test accuracy: (\d\.\d{4})/.exec(stdout)?.[1];
const weights = (run: string) => readFileSync(join(dir, run, 'model.safetensors'));

describe('resnet-native CLI', () => {
  it(
    'resumes a run killed mid-epoch to the same weights, byte for byte, as an uninterrupted run',
    async () => {
      const full = await exec('node', [cli, ...flags('full')]);
      expect(accuracy(full.stdout)).toBeDefined();

      // Killed inside epoch 2 (1 epoch done), with at least one of its batches checkpointed.
      const child = spawn('node', [cli, ...flags('cut')], { stdio: 'ignore' });
      const checkpoint = join(dir, 'cut', 'checkpoint.safetensors');
      const state = await killAtMidEpoch(child, checkpoint, 1);
      expect(state.batch).toBeGreaterThan(0);
      expect(await checkpointState(checkpoint)).toMatchObject({ epoch: 1, batch: state.batch });

      // Without --output-dir: a resumed run continues in its checkpoint's own folder.
      const resumed = await exec('node', [cli, ...flags('cut').slice(0, -2), '--resume', checkpoint]);
      expect(resumed.stdout).toContain(`resumed from ${checkpoint}: epoch 2, batch ${state.batch}\n`);
      expect(weights('cut').equals(weights('full'))).toBe(true);
      expect(accuracy(resumed.stdout)).toBe(accuracy(full.stdout));
      const metrics = readFileSync(join(dir, 'cut', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(metrics.map((line) => (JSON.parse(line) as { epoch: number }).epoch)).toEqual([1, 2]);
      const config = JSON.parse(readFileSync(join(dir, 'cut', 'config.json'), 'utf8'));
      expect(config.transform).toMatch(/Normalize\(.*\), RandomErasing\(p=0.25,/);
    },
    TRAINING_MS,
  );

  it('predict prints, for each image, the top-5 classes of the trained model; info its versions', async () => {
    const info = await exec('node', [cli, 'info']);
    expect(info.stdout).toMatch(/libtorch\s+\d+\.\d+/);
    const images = await writeTestImages(dir, 3);
    const model = join(dir, 'full', 'model.safetensors');
    const expected = await topClasses(images, model);
    const args = ['predict', ...images.paths, '--arch', 'resnet20', '--dataset', 'fashion-mnist'];
    const out = await exec('node', [cli, ...args, '--weights', model]);
    expect(parsePredictions(out.stdout)).toEqual(
      images.paths.map((path, i) => ({ path, top: expected[i]!.map((c) => c.name) })),
    );
    const printed = parsePercents(out.stdout);
    expected.flat().forEach((c, j) => expect(Math.abs(printed[j]! - 100 * c.p)).toBeLessThan(0.0051));
  }, 60_000); // three CLI processes start, each loading libtorch

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
