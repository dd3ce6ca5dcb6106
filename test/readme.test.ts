/**
 * Every ```ts and ```sh example of the README runs as written, in a fresh folder where
 * `resnet-native` resolves to this package (built by the set-up) and where the files the
 * examples name exist: torchvision checkpoints written by PyTorch, and a small image folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rn-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(ts|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));

beforeAll(async () => {
  mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(repo, join(work, 'node_modules', 'resnet-native'));
  symlinkSync(join(repo, 'dist', 'cli.js'), join(work, 'node_modules', '.bin', 'resnet-native'));
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'readme-examples', type: 'module', private: true }),
  );
  // The checkpoints the examples name, in torchvision's format (random weights).
  await exec(
    '/usr/bin/python3',
    [
      '-c',
      `import torch, torchvision
torch.save(torchvision.models.resnet50().state_dict(), 'resnet50-0676ba61.pth')
torch.save(torchvision.models.resnet18().state_dict(), 'resnet18-f37072fd.pth')`,
    ],
    { cwd: work },
  );
  for (const split of ['train', 'val']) {
    for (const [k, cls] of ['cat', 'dog'].entries()) {
      mkdirSync(join(work, 'my-images', split, cls), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const raw = Buffer.from(Array.from({ length: 80 * 90 * 3 }, (_, j) => (j * (k + 3) + i * 17) % 256));
        await sharp(raw, { raw: { width: 90, height: 80, channels: 3 } })
          .png()
          .toFile(join(work, 'my-images', split, cls, `${i}.png`));
      }
    }
  }
}, 300_000);

/** What each shell example must print, by the command it runs. */
const SH_OUTPUT: Array<[RegExp, RegExp]> = [
  [/resnet-native train /, /test accuracy: \d\.\d{4}|libtorch/],
  [/resnet-native summary --arch resnet50/, /Total params: 25,557,032/],
];

describe('README examples', () => {
  it('has examples to run', () => {
    expect(blocks.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(3);
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(1);
  });

  blocks.forEach((block, i) => {
    it(`example ${i + 1} (${block.lang}) runs as written`, async () => {
      const env = { ...process.env, PATH: `${join(work, 'node_modules', '.bin')}:${process.env['PATH']}` };
      if (block.lang === 'ts') {
        const file = join(work, `example-${i + 1}.ts`);
        writeFileSync(file, block.code);
        const { stdout } = await exec(join(repo, 'node_modules', '.bin', 'vite-node'), [file], {
          cwd: work,
          env,
        });
        expect(stdout.length).toBeGreaterThan(0);
      } else {
        const expected = SH_OUTPUT.find(([command]) => command.test(block.code))?.[1];
        if (expected === undefined)
          throw new Error(`README example ${i + 1}: add what it must print to SH_OUTPUT`);
        const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: work, env });
        expect(stdout).toMatch(expected);
      }
    }, 300_000);
  });
});
