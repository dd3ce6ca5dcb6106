/**
 * The package as a user gets it: `npm pack`, installed into a fresh project, used from ESM,
 * CommonJS and TypeScript, first with the prebuilt addon, then built from source.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rn-consumer-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'resnet-native');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Asynchronous, so that vitest's worker stays responsive during the long npm commands.
const exec = promisify(execFile);
const run = async (cmd: string, args: string[], options: ExecFileOptions = {}): Promise<string> =>
  String((await exec(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options })).stdout);

let tarball = '';
let files: string[] = [];
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
  await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app });
}, 600_000);

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
    expect(files).toContain('prebuilds/linux-x64/resnet-native.node');
    expect(files).toContain('CMakeLists.txt');
    expect(files.filter((f) => /^(test|bench|build|runs)\//.test(f) || f.endsWith('.safetensors'))).toEqual(
      [],
    );
    expect(await run(join(repo, 'node_modules/.bin/publint'), ['run', installed])).not.toMatch(
      /error|warning/i,
    );
  });

  it('works from ESM, CommonJS and TypeScript with the prebuilt addon', async () => {
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

  it('builds from source when asked (or when no prebuilt addon fits)', async () => {
    await run('npm', ['rebuild', 'resnet-native'], {
      cwd: app,
      env: { ...process.env, RESNET_NATIVE_BUILD_FROM_SOURCE: '1' },
    });
    expect(readdirSync(join(installed, 'build', 'Release'))).toContain('resnet_native.node');
    rmSync(join(installed, 'prebuilds'), { recursive: true });
    expect((await run('node', ['-e', cjs], { cwd: app })).trim()).toBe('11689512 0');
  }, 900_000); // a full native build: minutes on 2 cores with a cold compiler cache
});
