/**
 * The package as a user gets it under npm 11, which skips its install script (not approved):
 * `npm pack`, installed into a fresh project, used from ESM, CommonJS and TypeScript with the
 * prebuilt addon for Debian's libtorch 1.13; with LIBTORCH at pip's torch 2.13.0+cpu wheel it
 * loads the 2.13 prebuilt, and without that prebuilt it fails naming the remedy, which
 * (`npx resnet-native doctor --build`, fetching cmake-js) then builds it from source. `npm pack`
 * builds both prebuilt addons (scripts/prebuild.sh, incremental); the source build in the
 * consumer is a cold one (minutes on 2 cores).
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rn-consumer-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'resnet-native');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A consumer gets the addon the package's loader chooses: an override for this checkout's own
// tests (RESNET_NATIVE_ADDON, set by scripts/test_sanitized.sh) must not reach its processes.
const consumerEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'RESNET_NATIVE_ADDON'),
);
// Asynchronous, so that vitest's worker stays responsive during the long npm commands.
const exec = promisify(execFile);
const run = async (cmd: string, args: string[], options: ExecFileOptions = {}): Promise<string> =>
  String(
    (await exec(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: consumerEnv, ...options })).stdout,
  );

// scripts/prebuild.sh's virtual environment with pip's torch 2.13.0+cpu (it made it during npm pack).
const cache = process.env['RESNET_NATIVE_CACHE'] ?? join(homedir(), '.cache', 'resnet-native');
const venv = join(cache, 'torch-2.13.0-cpu', 'lib');
const pipTorch = () =>
  join(
    venv,
    readdirSync(venv).find((d) => d.startsWith('python3'))!,
    'site-packages',
    'torch',
  );
const prebuilt = (release: string) =>
  join(installed, 'prebuilds', 'linux-x64', `resnet-native.libtorch-${release}-cpu.node`);
/** Prints the libtorch version the addon reports and the .node file the loader picked. */
const which = `const { version } = require('resnet-native');
console.log(version.libtorch, Object.keys(require.cache).find((f) => /resnet[-_]native[^/]*\\.node$/.test(f)));`;

// Ninja would run cores + 2 compilers; the machines here have 2 shared cores.
const jobs = process.env['CMAKE_BUILD_PARALLEL_LEVEL'] ?? '2';

let tarball = '';
let files: string[] = [];
let installLog = '';
beforeAll(async () => {
  const out = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo });
  const info = JSON.parse(out.slice(out.lastIndexOf('[\n  {'))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(work, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const install = await exec('npm', ['install', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    env: consumerEnv,
    encoding: 'utf8',
  });
  installLog = `${install.stdout}${install.stderr}`;
}, 1_800_000); // npm pack builds both prebuilt addons: seconds when built before, a cold 2.13 build otherwise

const esm = `import { resnet50, randn, noGrad, version } from 'resnet-native';
const y = noGrad(() => resnet50({ numClasses: 3 }).eval().forward(randn([1, 3, 64, 64])));
console.log(version.libtorch, y.shape.join('x'));`;
const cjs = `const { resnet18, zeros } = require('resnet-native');
console.log(resnet18().numParameters(), zeros([2]).sum().item());`;

describe('npm pack → install in a fresh project', () => {
  it('ships what it needs and nothing else', async () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.cjs');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('prebuilds/linux-x64/resnet-native.libtorch-1.13-cpu.node');
    expect(files).toContain('prebuilds/linux-x64/resnet-native.libtorch-2.13-cpu.node');
    expect(statSync(tarball).size).toBeLessThan(4 << 20); // two stripped addons and dist/: about 2.5 MB
    expect(files).toContain('CMakeLists.txt');
    expect(files.filter((f) => /^(test|bench|build|runs)\//.test(f) || f.endsWith('.safetensors'))).toEqual(
      [],
    );
    expect(await run(join(repo, 'node_modules/.bin/publint'), ['run', installed])).not.toMatch(
      /error|warning/i,
    );
  });

  it('works from ESM, CommonJS and TypeScript with the prebuilt addon', async () => {
    expect(installLog).toMatch(/install scripts not yet covered by allowScripts[\s\S]*resnet-native@/);
    expect(existsSync(join(installed, 'build', 'Release'))).toBe(false); // nothing was compiled
    expect((await run('node', ['--input-type=module', '-e', esm], { cwd: app })).trim()).toMatch(
      /^\d+\.\d+\.\d+ 1x3$/,
    );
    expect((await run('node', ['-e', cjs], { cwd: app })).trim()).toBe('11689512 0');
    writeFileSync(
      join(app, 'main.ts'),
      `import { resnet18, type Tensor, nn } from 'resnet-native';
const model: nn.Module = resnet18({ numClasses: 10 });
const out: Promise<Tensor> = model.eval().forwardAsync(null as unknown as Tensor);
void out;
// @ts-expect-error numClasses must be a number
resnet18({ numClasses: 'ten' });
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    await run('node', [join(repo, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app });
  }, 120_000); // a type-check of the installed package's declarations

  it('loads the 2.13 prebuilt with LIBTORCH at the pip 2.13 wheel, with no build', async () => {
    const out = await run('node', ['-e', which], { cwd: app, env: { ...consumerEnv, LIBTORCH: pipTorch() } });
    expect(out.trim()).toBe(`2.13.0 ${prebuilt('2.13')}`);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    const doctor = await run('npx', ['resnet-native', 'doctor', '--json'], {
      cwd: app,
      env: { ...consumerEnv, LIBTORCH: pipTorch() },
    });
    expect(JSON.parse(doctor)).toMatchObject({
      prebuilts: [{ libtorch: '1.13' }, { libtorch: '2.13' }],
      addon: { loads: true, kind: 'prebuilt', file: prebuilt('2.13') },
    });
  }, 180_000); // doctor asks two pythons for their PyTorch

  it('without a prebuilt for 2.13, importing it fails with a message naming the libtorch and the remedy', async () => {
    rmSync(prebuilt('2.13'));
    const env = { ...consumerEnv, LIBTORCH: pipTorch() };
    const failure = await exec('node', ['-e', which], { cwd: app, env }).catch((e: { stderr: string }) => e);
    expect('stderr' in failure && failure.stderr).toMatch(
      /could not load its native addon\. The libtorch found is libtorch 2\.13\.0\+cpu, from LIBTORCH \(.*\)\. The prebuilt addons fit CPU libtorch 1\.13 only\..*`npx resnet-native doctor --build`/,
    );
  }, 60_000);

  it('`npx resnet-native doctor --build` then builds it from source against LIBTORCH', async () => {
    const env = { ...consumerEnv, LIBTORCH: pipTorch(), CMAKE_BUILD_PARALLEL_LEVEL: jobs };
    // cmake-js is an optional peer dependency: doctor fetches it through npm exec.
    expect(existsSync(join(app, 'node_modules', 'cmake-js'))).toBe(false);
    const doctor = await exec('npx', ['resnet-native', 'doctor', '--build', '--json'], {
      cwd: app,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(doctor.stderr).toContain('cmake-js is not installed; running cmake-js@');
    const report = JSON.parse(doctor.stdout) as { built: string; addon: { loads: boolean; kind: string } };
    expect(report).toMatchObject({ built: pipTorch(), addon: { loads: true, kind: 'local build' } });
    const local = join(installed, 'build', 'Release', 'resnet_native.node');
    expect((await run('node', ['-e', which], { cwd: app, env })).trim()).toBe(`2.13.0 ${local}`);
  }, 3_600_000); // a cold source build against libtorch 2.13 (C++20 headers) on 2 shared cores

  it('npm rebuild runs the install script, which builds through doctor (incremental now)', async () => {
    const env = {
      ...consumerEnv,
      LIBTORCH: pipTorch(),
      RESNET_NATIVE_BUILD_FROM_SOURCE: '1',
      CMAKE_BUILD_PARALLEL_LEVEL: jobs,
    };
    const out = await exec('npm', ['rebuild', 'resnet-native', '--foreground-scripts'], {
      cwd: app,
      env,
      encoding: 'utf8',
    });
    expect(`${out.stdout}${out.stderr}`).toContain('resnet-native doctor: building against');
    rmSync(join(installed, 'prebuilds'), { recursive: true });
    expect((await run('node', ['-e', cjs], { cwd: app, env })).trim()).toBe('11689512 0');
  }, 900_000);
});
