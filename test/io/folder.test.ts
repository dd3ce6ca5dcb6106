/** Output folders and files whose folder is missing or cannot be made: clear errors, no spin. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../lib/io/folder.js';
import { save, zeros } from '../../lib/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeFolder', () => {
  it('creates the missing levels', async () => {
    await makeFolder(join(dir, 'a', 'b', 'c'));
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    await makeFolder(join(dir, 'a', 'b', 'c')); // and accepts an existing one
  });

  it('fails clearly under /proc, where recursive mkdir loops forever on Node 20', async () => {
    await expect(makeFolder('/proc/rn-x/y')).rejects.toThrow(
      'Cannot create the folder /proc/rn-x/y: mkdir /proc/rn-x failed (ENOENT)',
    );
  });

  it('names a file in the way', async () => {
    writeFileSync(join(dir, 'file'), '');
    await expect(makeFolder(join(dir, 'file', 'x'))).rejects.toThrow(
      `${join(dir, 'file')} exists and is not a folder`,
    );
  });
});

describe('save', () => {
  it('into a missing folder names the folder, not a hidden temporary file', async () => {
    const path = join(dir, 'missing', 'w.safetensors');
    const error = (await save({ w: zeros([2]) }, path).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`Cannot write ${path}: the folder ${join(dir, 'missing')} does not exist`);
    expect(error.message).not.toMatch(/\.tmp/);
  });
});
