/**
 * Whether the addon loads, tried in a child process so that a failing dlopen (or a crash in
 * libtorch's static initializers) cannot take doctor down; and the source build of
 * `doctor --build`. Nothing here imports lib/binding.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LibtorchCandidate } from './libtorch.js';

/** What loading the library (dist/index.js, the loader users get) gave. */
export interface AddonCheck {
  loads: boolean;
  /** The .node file the loader picked, and whether it is the local build or a prebuilt one. */
  file: string | null;
  kind: 'local build' | 'prebuilt' | null;
  /** The libtorch version the addon reports. */
  libtorch: string | null;
  /** The loader's message (lib/binding.ts) or the child's crash. */
  error: string | null;
}

// Runs in the child: imports the library, then names the addon file from require's cache
// (a .node file is cached under its path), so the answer is the loader's actual choice.
const CHILD = `import(process.argv[1]).then((m) => {
  const file = Object.keys(require.cache).find((f) => /resnet[-_]native[^/]*\\.node$/.test(f)) ?? null;
  console.log(JSON.stringify({ loads: true, file, libtorch: m.version.libtorch }));
}, (e) => console.log(JSON.stringify({ loads: false, error: e instanceof Error ? e.message : String(e) })));`;

/** Loads `<root>/dist/index.js` in `node -e` and reports. */
export function checkAddon(root: string, env: NodeJS.ProcessEnv = process.env): AddonCheck {
  const index = join(root, 'dist', 'index.js');
  const none = { loads: false, file: null, kind: null, libtorch: null };
  if (!existsSync(index)) return { ...none, error: `${index} is missing: run \`npm run build:ts\`` };
  const run = spawnSync(process.execPath, ['-e', CHILD, pathToFileURL(index).href], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  const line = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !line?.startsWith('{')) {
    const why = run.error?.message ?? (run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`);
    return { ...none, error: `the child process failed (${why}): ${run.stderr?.trim() ?? ''}` };
  }
  const result = JSON.parse(line) as {
    loads: boolean;
    file?: string | null;
    libtorch?: string;
    error?: string;
  };
  const file = result.file ?? null;
  return {
    loads: result.loads,
    file,
    kind: file === null ? null : file.includes(`${join(root, 'prebuilds')}`) ? 'prebuilt' : 'local build',
    libtorch: result.libtorch ?? null,
    error: result.error ?? null,
  };
}

/** The Torch_DIR a previous configure cached: CMake would keep it (and its libraries) otherwise. */
function cachedTorchDir(build: string): string | null {
  const cache = join(build, 'CMakeCache.txt');
  if (!existsSync(cache)) return null;
  return /^Torch_DIR:PATH=(.*)$/m.exec(readFileSync(cache, 'utf8'))?.[1] ?? null;
}

/**
 * How to run cmake-js: the installed one (a clone's devDependency, or one the user added),
 * else through `npm exec`, which fetches the version package.json's optional peerDependency
 * names. A user who never builds from source never installs it.
 */
function cmakeJsCommand(root: string, flags: string[]): [string, string[]] {
  const pkg = join(root, 'package.json');
  try {
    const bin = join(dirname(createRequire(pkg).resolve('cmake-js/package.json')), 'bin', 'cmake-js');
    return [process.execPath, [bin, ...flags]];
  } catch {
    const { peerDependencies } = JSON.parse(readFileSync(pkg, 'utf8')) as {
      peerDependencies?: Record<string, string>;
    };
    const spec = `cmake-js@${peerDependencies?.['cmake-js'] ?? 'latest'}`;
    console.error(`resnet-native doctor: cmake-js is not installed; running ${spec} through npm exec`);
    return ['npm', ['exec', '--yes', `--package=${spec}`, '--', 'cmake-js', ...flags]];
  }
}

/** Builds build/Release/resnet_native.node with cmake-js against `libtorch`; throws on failure. */
export function buildAddon(root: string, libtorch: LibtorchCandidate): void {
  if (libtorch.cmakeDir === null)
    throw new Error(`${libtorch.dir} has no TorchConfig.cmake: it cannot be built against`);
  const build = join(root, 'build');
  // A cache from another libtorch keeps its TORCH_LIBRARY and friends: configure afresh (ccache keeps it quick).
  const cached = cachedTorchDir(build);
  if (cached !== null && cached !== libtorch.cmakeDir) rmSync(join(build, 'CMakeCache.txt'));
  const flags = ['build', '--out', 'build', '--log-level', 'warn', `--CDTorch_DIR=${libtorch.cmakeDir}`];
  const [command, args] = cmakeJsCommand(root, flags);
  const run = spawnSync(command, args, {
    cwd: root,
    // The build's output goes to stderr, so that --json's stdout stays one JSON document.
    stdio: ['ignore', 2, 2],
    env: { ...process.env, LIBTORCH: libtorch.dir },
  });
  if (run.status !== 0)
    throw new Error(`the build against ${libtorch.dir} failed (cmake-js exit code ${run.status})`);
}
