/**
 * Which native addon file lib/binding.ts loads, decided from files alone (nothing is loaded
 * here). The prebuilt addons follow prebuildify's layout, `prebuilds/<platform>-<arch>/`, with
 * the libtorch each was linked against in its name: `resnet-native.libtorch-<major.minor>-cpu.node`
 * (scripts/prebuild.sh builds them). node-gyp-build, prebuildify's own loader, chooses only by
 * platform, Node-API and libc and ignores other tags, so it cannot make this choice.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspectPrefix, type LibtorchCandidate } from './cli/doctor/libtorch.js';

/** One prebuilt addon in the package. */
export interface Prebuilt {
  file: string;
  /** The libtorch release it was linked against, `major.minor`. */
  libtorch: string;
}

/** The loader's decision: a file to load (and libraries to load before it), or why there is none. */
export type AddonChoice =
  | { kind: 'chosen' | 'local build'; file: string; preload: string[] }
  | { kind: 'prebuilt'; file: string; preload: string[]; libtorch: LibtorchCandidate }
  | { kind: 'none'; libtorch: LibtorchCandidate | null; prebuilts: Prebuilt[] };

const PREBUILT_NAME = /^resnet-native\.libtorch-(\d+\.\d+)-cpu\.node$/;

/** The prebuilt addons shipped for this platform. */
export function listPrebuilts(root: string): Prebuilt[] {
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const tag = PREBUILT_NAME.exec(name);
    return tag ? [{ file: join(dir, name), libtorch: tag[1]! }] : [];
  });
}

/**
 * The libtorch the addon will meet at run time: LIBTORCH's (as in CMakeLists.txt), else the
 * system's (Debian's libtorch-dev, found by the dynamic linker). A pip PyTorch is only
 * seen through LIBTORCH: asking python3 would cost a second or two on every import.
 */
export function runtimeLibtorch(env: NodeJS.ProcessEnv): LibtorchCandidate | null {
  const libtorch = env['LIBTORCH'];
  if (libtorch !== undefined && libtorch !== '') return inspectPrefix('LIBTORCH', resolve(libtorch));
  for (const prefix of ['/usr', '/usr/local']) {
    const c = inspectPrefix('system', prefix);
    if (c.libDir !== null) return c;
  }
  return null;
}

const majorMinor = (version: string | null) => /^(\d+\.\d+)/.exec(version ?? '')?.[1] ?? null;

/**
 * The libraries of a LIBTORCH folder that a prebuilt addon needs, in dependency order. A
 * prebuilt addon has no RPATH (it was built elsewhere), so they are loaded first by path; the
 * dynamic linker then satisfies the addon's NEEDED entries with them, by soname.
 */
function preloadOf(libtorch: LibtorchCandidate): string[] {
  if (libtorch.source !== 'LIBTORCH' || libtorch.libDir === null) return [];
  return ['libc10.so', 'libtorch_cpu.so', 'libtorch.so']
    .map((name) => join(libtorch.libDir!, name))
    .filter((file) => existsSync(file));
}

/**
 * RESNET_NATIVE_ADDON (a resnet_native.node path, e.g. scripts/cuda_variant.sh's build-cuda/)
 * wins; then a local build (build/Release: `npm run build:native`, the install script or
 * `doctor --build`); then the prebuilt addon linked against the runtime libtorch's release, a
 * CPU one for a CPU libtorch only. RESNET_NATIVE_BUILD_FROM_SOURCE=1 turns prebuilt addons off.
 */
export function chooseAddon(root: string, env: NodeJS.ProcessEnv = process.env): AddonChoice {
  const chosen = env['RESNET_NATIVE_ADDON'];
  if (chosen !== undefined && chosen !== '') return { kind: 'chosen', file: resolve(chosen), preload: [] };
  const local = join(root, 'build', 'Release', 'resnet_native.node');
  if (existsSync(local)) return { kind: 'local build', file: local, preload: [] };
  const libtorch = runtimeLibtorch(env);
  const prebuilts = env['RESNET_NATIVE_BUILD_FROM_SOURCE'] === '1' ? [] : listPrebuilts(root);
  const release = majorMinor(libtorch?.version ?? null);
  const fit = prebuilts.find((p) => libtorch !== null && !libtorch.cuda && p.libtorch === release);
  if (fit === undefined || libtorch === null) return { kind: 'none', libtorch, prebuilts };
  return { kind: 'prebuilt', file: fit.file, preload: preloadOf(libtorch), libtorch };
}
