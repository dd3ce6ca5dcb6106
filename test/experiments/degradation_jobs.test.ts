/**
 * `experiment degradation --jobs N`, as a user runs it (dist/cli.js): each net trains in its own
 * process, and the merged results equal one process's training of the same grid; a failing
 * child stops the command with its exit code; the dataset, the grid's names and its depths
 * are checked before any process starts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { degradationOptions } from '../../lib/cli/experiment.js';
import { runDegradation, type DegradationRun } from '../../lib/experiments/degradation.js';
import { gridOrder, netGrid, netName } from '../../lib/experiments/nets.js';
import { ArgumentError, getNumThreads, setNumThreads } from '../../lib/index.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-degradation-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = [
  '--depths',
  '8',
  '--train-size',
  '96',
  '--test-size',
  '40',
  '--epochs',
  '1',
  '-b',
  '32',
  '--seed',
  '5',
];
/** Everything but the wall-clock seconds, which differ between any two runs. */
const trained = (runs: DegradationRun[]) =>
  runs.map(({ weights: _w, history, ...rest }) => ({
    ...rest,
    history: history.map(({ seconds: _s, ...p }) => p),
  }));

describe('experiment degradation --jobs', () => {
  it(
    'trains each net in its own process, deepest first, and merges results equal to one process’s',
    { timeout: 240_000 },
    async () => {
      const out = join(dir, 'jobs');
      const { stdout } = await exec('node', [
        cli,
        'experiment',
        'degradation',
        ...tiny,
        '--jobs',
        '2',
        '--threads',
        '2',
        '--output-dir',
        out,
      ]);
      expect(stdout).toContain('training plain8, resnet8 in 2 processes at a time, 1 thread(s) each');
      // the parent trained nothing itself: it reused what the children left
      expect(stdout).toContain(`plain-8: reusing the finished run in ${join(out, 'plain8')}`);
      expect(stdout).toContain(`ResNet-8: reusing the finished run in ${join(out, 'resnet8')}`);
      const merged = JSON.parse(readFileSync(join(out, 'degradation.json'), 'utf8')) as {
        runs: DegradationRun[];
      };
      expect(merged.runs.map((r) => r.name)).toEqual(['plain8', 'resnet8']);

      // The same grid in this process, one thread as each child, same seed: the same training, bit for bit.
      const flags = { dataset: 'fashion-mnist', depths: [8], trainSize: 96, testSize: 40, epochs: 1, batchSize: 32,
        momentum: 0.9, weightDecay: 1e-4, paper: false, seed: 5, outputDir: join(dir, 'single') } as const; // prettier-ignore
      const threads = getNumThreads();
      setNumThreads(1);
      const single = await runDegradation(degradationOptions({ ...flags, depths: [8] }, 60_000)).finally(() =>
        setNumThreads(threads),
      );
      expect(trained(merged.runs)).toEqual(trained(single.runs));
      expect(merged.runs[0]!.history[0]!.trainLoss).toBeGreaterThan(0);
    },
  );

  it('stops with the failing child’s exit code and names it', { timeout: 120_000 }, async () => {
    // The children cannot create their folders under a file; the parent creates nothing itself.
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const err = (await exec('node', [
      cli, 'experiment', 'degradation', ...tiny, '--jobs', '2', '--output-dir', join(file, 'out'),
    ]).then(() => undefined, (e: unknown) => e)) as { code?: number; stderr?: string } | undefined; // prettier-ignore
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(
      /resnet-native: (plain8|resnet8) exited with code 1; stopping the other networks/,
    );
    expect(err?.stderr).toContain('not-a-folder');
  });

  it('checks the dataset once, before any process starts', { timeout: 60_000 }, async () => {
    const err = (await exec('node', [
      cli, 'experiment', 'degradation', ...tiny, '--jobs', '2', '--dataset', 'cifar10',
      '--data-path', join(dir, 'no-such-folder'), '--output-dir', join(dir, 'no-data'),
    ]).then(() => undefined, (e: unknown) => e)) as { code?: number; stderr?: string } | undefined; // prettier-ignore
    expect(err?.code).toBe(1);
    expect(err?.stderr?.match(/CIFAR-10 not found in/g)).toHaveLength(1);
    expect(err?.stderr).not.toContain('exited with code');
  });

  it('orders the grid deepest first and refuses names and depths outside it', () => {
    expect(gridOrder(netGrid([20, 56])).map(netName)).toEqual(['plain56', 'resnet56', 'plain20', 'resnet20']);
    expect(gridOrder(netGrid([20, 56]), ['resnet20', 'resnet56']).map(netName)).toEqual([
      'resnet56',
      'resnet20',
    ]);
    expect(() => gridOrder(netGrid([20, 56]), ['resnet32'])).toThrow(ArgumentError);
    expect(() => gridOrder(netGrid([20, 56]), ['resnet32'])).toThrow(
      'Expected --only to name nets of the grid (plain20, plain56, resnet20, resnet56) but received resnet32',
    );
    expect(() => gridOrder(netGrid([21]))).toThrow('Expected a depth of the form 6n+2');
  });
});
