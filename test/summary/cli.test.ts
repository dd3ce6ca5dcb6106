/** `resnet-native summary` and the experiment commands' argument errors, as a user runs them (dist/cli.js). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resnet56 } from '../../lib/index.js';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const fails = async (args: string[]): Promise<string> => {
  const err = (await exec('node', [cli, ...args]).then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: number; stderr?: string } | undefined;
  expect(err?.code).toBe(1);
  return err?.stderr ?? '';
};

describe('resnet-native summary', () => {
  it(
    'prints resnet50 with 25,557,032 parameters, 4.09 GMACs and the bottleneck comparison',
    { timeout: 120_000 },
    async () => {
      const { stdout } = await exec('node', [cli, 'summary', '--arch', 'resnet50', '--depth', '2']);
      expect(stdout).toContain('Total params: 25,557,032');
      expect(stdout).toContain('Total mult-adds (G): 4.09');
      expect(stdout).toMatch(/layer1\.1 +256→64→256 +16,384 \+ 36,864 \+ 16,384 +69,632 +1,179,648 +16\.9×/);
      expect(stdout).not.toContain('layer1.0.conv1'); // depth 2 folds the block's layers
    },
  );

  it('uses 32×32 inputs for the CIFAR networks and refuses a bad shape', { timeout: 60_000 }, async () => {
    const { stdout } = await exec('node', [
      cli,
      'summary',
      '--arch',
      'resnet56',
      '--depth',
      '1',
      '--no-blocks',
    ]);
    // The count itself is checked against PyTorch in test/models/architectures.test.ts.
    expect(stdout).toContain(`Total params: ${resnet56().numParameters().toLocaleString('en-US')}`);
    expect(stdout).toContain('[1, 64, 8, 8]');
    expect(await fails(['summary', '--input-size', '1x3x2'])).toMatch(
      /Expected an input shape NxCxHxW.*1x3x2/,
    );
  });

  it(
    'says what an experiment study needs when there is no degradation run',
    { timeout: 60_000 },
    async () => {
      expect(await fails(['experiment', 'responses', '--from', '/nonexistent'])).toMatch(
        /degradation\.json.*\/nonexistent/,
      );
      expect(await fails(['experiment', 'landscape', '--weights', 'vgg=x'])).toMatch(/NAME=FILE.*vgg=x/);
      expect(await fails(['experiment', 'degradation', '--depths', '21', '--epochs', '1'])).toMatch(
        /6n\+2.*21/,
      );
    },
  );
});
