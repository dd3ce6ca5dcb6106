/**
 * The loader's choice of addon file (lib/addon_choice.ts), on fake package and libtorch
 * folders: which prebuilt fits which libtorch, what is preloaded for a LIBTORCH folder, and
 * what wins over a prebuilt. Loading real files is test/package/consumer.test.ts's part.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseAddon, listPrebuilts } from '../../lib/addon_choice.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const touch = (file: string) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '');
};
/** A package folder with the given prebuilt addons (empty files) and no local build. */
function pkg(name: string, releases: string[]): string {
  const root = join(dir, name);
  for (const r of releases)
    touch(
      join(root, 'prebuilds', `${process.platform}-${process.arch}`, `resnet-native.libtorch-${r}-cpu.node`),
    );
  touch(join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'notes.txt'));
  return root;
}
/** A pip wheel's torch/ folder (build-version stands in for version.h), CPU or CUDA. */
function libtorch(name: string, version: string, cuda = false): string {
  const root = join(dir, name);
  writeFileSync(join((mkdirSync(root, { recursive: true }), root), 'build-version'), `${version}\n`);
  for (const lib of ['libc10.so', 'libtorch_cpu.so', 'libtorch.so', ...(cuda ? ['libtorch_cuda.so'] : [])])
    touch(join(root, 'lib', lib));
  return root;
}

const both = pkg('both', ['1.13', '2.13']);
const prebuilt = (release: string) =>
  join(
    both,
    'prebuilds',
    `${process.platform}-${process.arch}`,
    `resnet-native.libtorch-${release}-cpu.node`,
  );

describe('the addon the loader chooses', () => {
  it('lists the prebuilt addons by the libtorch release in their names', () => {
    expect(listPrebuilts(both).map((p) => p.libtorch)).toEqual(['1.13', '2.13']);
    expect(listPrebuilts(join(dir, 'nothing-here'))).toEqual([]);
  });

  it("takes the 1.13 prebuilt for Debian's system libtorch, loaded by soname (no preload)", () => {
    const choice = chooseAddon(both, {});
    expect(choice).toMatchObject({ kind: 'prebuilt', file: prebuilt('1.13'), preload: [] });
  });

  it("takes the 2.13 prebuilt for LIBTORCH at pip's 2.13 wheel, preloading its libraries in order", () => {
    const torch = libtorch('torch-2.13', '2.13.0+cpu');
    expect(chooseAddon(both, { LIBTORCH: torch })).toMatchObject({
      kind: 'prebuilt',
      file: prebuilt('2.13'),
      preload: ['libc10.so', 'libtorch_cpu.so', 'libtorch.so'].map((l) => join(torch, 'lib', l)),
    });
  });

  it('has none for a libtorch without a matching CPU prebuilt: another release, a CUDA build', () => {
    for (const torch of [
      libtorch('torch-2.5', '2.5.1+cpu'),
      libtorch('torch-2.13-cu', '2.13.0+cu130', true),
    ]) {
      const choice = chooseAddon(both, { LIBTORCH: torch });
      expect(choice).toMatchObject({ kind: 'none', libtorch: { dir: torch } });
    }
    expect(chooseAddon(pkg('only-1.13', ['1.13']), { LIBTORCH: join(dir, 'torch-2.13') })).toMatchObject({
      kind: 'none',
      prebuilts: [{ libtorch: '1.13' }],
    });
    expect(chooseAddon(both, { LIBTORCH: join(dir, 'missing') })).toMatchObject({
      kind: 'none',
      libtorch: { exists: false },
    });
  });

  it('prefers RESNET_NATIVE_ADDON, then a local build; RESNET_NATIVE_BUILD_FROM_SOURCE=1 turns prebuilts off', () => {
    expect(chooseAddon(both, { RESNET_NATIVE_ADDON: '/x/resnet_native.node' })).toMatchObject({
      kind: 'chosen',
      file: '/x/resnet_native.node',
    });
    expect(chooseAddon(both, { RESNET_NATIVE_BUILD_FROM_SOURCE: '1' })).toMatchObject({ kind: 'none' });
    const local = pkg('local', ['1.13']);
    touch(join(local, 'build', 'Release', 'resnet_native.node'));
    expect(chooseAddon(local, { LIBTORCH: join(dir, 'torch-2.5') })).toMatchObject({
      kind: 'local build',
      file: join(local, 'build', 'Release', 'resnet_native.node'),
    });
  });
});
