/**
 * `resnet-native doctor` as a user runs it (dist/cli.js): it finds Debian's libtorch with the
 * version, CUDA and ABI that Debian's PyTorch reports, says whether the addon loads, survives a
 * LIBTORCH that does not exist, and runs where the addon cannot load (a copy of the package
 * without build/ or prebuilds/), where the other commands fail with a message naming it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { AddonCheck } from '../../lib/cli/doctor/addon.js';
import type { LibtorchCandidate } from '../../lib/cli/doctor/libtorch.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'rn-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  candidates: LibtorchCandidate[];
  built: string | null;
  addon: AddonCheck;
}
async function doctor(args: string[] = [], env: NodeJS.ProcessEnv = {}, bin = cli): Promise<Report> {
  const { stdout } = await exec('node', [bin, 'doctor', '--json', ...args], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as Report;
}
const pytorch = (code: string) =>
  execFileSync('/usr/bin/python3', ['-c', `import torch; print(${code})`], { encoding: 'utf8' }).trim();

// Each doctor run asks two pythons to import torch: seconds each, more on shared cores.
describe('resnet-native doctor', { timeout: 120_000 }, () => {
  it("finds Debian's libtorch with PyTorch's version, no CUDA and PyTorch's ABI; the addon loads", async () => {
    const report = await doctor();
    const system = report.candidates.find((c) => c.source === 'system');
    const [patchLevel] = /^\d+\.\d+\.\d+/.exec(pytorch('torch.__version__')) ?? [];
    expect(system).toMatchObject({ dir: '/usr', exists: true, headers: true, cuda: false });
    expect(system?.version?.startsWith(patchLevel ?? '?')).toBe(true);
    expect(system?.cxx11Abi).toBe(pytorch('torch._C._GLIBCXX_USE_CXX11_ABI') === 'True');
    expect(system?.cmakeDir).toMatch(/cmake\/Torch$/);
    expect(report.addon).toMatchObject({
      loads: true,
      kind: 'local build',
      libtorch: system?.version,
      error: null,
    });
    // The local build, unless RESNET_NATIVE_ADDON names another (the sanitizer run's).
    expect(report.addon.file).toBe(
      process.env['RESNET_NATIVE_ADDON'] ?? join(root, 'build', 'Release', 'resnet_native.node'),
    );
  });

  it('reports a LIBTORCH that does not exist, and still lists the others', async () => {
    const report = await doctor([], { LIBTORCH: join(dir, 'no-such-libtorch') });
    expect(report.candidates[0]).toMatchObject({
      source: 'LIBTORCH',
      exists: false,
      version: null,
      libDir: null,
    });
    expect(report.candidates.some((c) => c.source === 'system')).toBe(true);
  });

  it('reads a libtorch folder: build-version, libtorch_cuda.so, the ABI of TorchConfig.cmake', async () => {
    // The layout of pytorch.org's libtorch zip (a CUDA 12.4 build, old ABI), with empty libraries.
    const fake = join(dir, 'libtorch');
    mkdirSync(join(fake, 'lib'), { recursive: true });
    mkdirSync(join(fake, 'share', 'cmake', 'Torch'), { recursive: true });
    writeFileSync(join(fake, 'build-version'), '2.5.1+cu124\n');
    for (const lib of ['libtorch.so', 'libtorch_cuda.so']) writeFileSync(join(fake, 'lib', lib), '');
    const config = 'set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=0")\n';
    writeFileSync(join(fake, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), config);
    const [candidate] = (await doctor([], { LIBTORCH: fake })).candidates;
    expect(candidate).toMatchObject({
      source: 'LIBTORCH',
      dir: fake,
      version: '2.5.1+cu124',
      headers: false,
    });
    expect(candidate).toMatchObject({
      cuda: true,
      cudaVersion: '12.4',
      cxx11Abi: false,
      libDir: join(fake, 'lib'),
    });
  });

  it('runs where the addon cannot load; the other commands then name it', async () => {
    // The package without build/ and prebuilds/: what a user gets when npm 11 skipped the install script.
    const pkg = join(dir, 'pkg');
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
    // RESNET_NATIVE_ADDON would load another build (the sanitized run sets it): not this user's case.
    const noAddon = { ...process.env, RESNET_NATIVE_ADDON: undefined };
    const report = await doctor([], noAddon, join(pkg, 'dist', 'cli.js'));
    expect(report.addon).toMatchObject({ loads: false, file: null });
    expect(report.addon.error).toContain('npm install-scripts approve resnet-native');
    expect(report.addon.error).toContain('npx resnet-native doctor --build');
    expect(report.candidates.some((c) => c.source === 'system')).toBe(true);

    const info = await exec('node', [join(pkg, 'dist', 'cli.js'), 'info'], { env: noAddon }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in info && info.code).toBe(1);
    expect(info.stderr).toMatch(
      /^resnet-native: could not load its native addon\. .*npx resnet-native doctor/,
    );
  });

  it('--build rebuilds against the system libtorch (ccache: seconds) and checks that it loads', async () => {
    const report = await doctor(['--build']);
    expect(report.built).toBe('/usr');
    expect(report.addon.loads).toBe(true);
  }, 120_000);

  it('refuses --libtorch without --build, and a --libtorch it cannot build against', async () => {
    await expect(exec('node', [cli, 'doctor', '--libtorch', '/usr'])).rejects.toMatchObject({
      stderr: expect.stringContaining('add --build'),
    });
    await expect(exec('node', [cli, 'doctor', '--build', '--libtorch', dir])).rejects.toMatchObject({
      stderr: expect.stringContaining('cannot be built against'),
    });
  });

  it('prints a human-readable report by default; info still works', async () => {
    const { stdout } = await exec('node', [cli, 'doctor']);
    expect(stdout).toMatch(/^libtorch found:\n/);
    expect(stdout).toMatch(/system: \/usr\n\s+version\s+\d+\.\d+/);
    expect(stdout).toContain('addon:\n  loads: ');
    expect((await exec('node', [cli, 'info'])).stdout).toMatch(/^resnet-native \d/);
  });
});
