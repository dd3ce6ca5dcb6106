/**
 * Finds the libtorch installations a source build could use, without loading any of them:
 * from LIBTORCH, from a pip PyTorch (as tch-rs's LIBTORCH_USE_PYTORCH asks python3), and the
 * system's (Debian's libtorch-dev). Only files are read, so this works when the addon cannot load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** One libtorch found, as `resnet-native doctor` reports it. */
export interface LibtorchCandidate {
  /** Where it was found: LIBTORCH, `python:<interpreter>`, or system. */
  source: string;
  /** The folder LIBTORCH would name (a libtorch folder, a pip torch/ folder, or /usr). */
  dir: string;
  /** False when the folder does not exist (a mistyped LIBTORCH). */
  exists: boolean;
  /** The folder holding libtorch.so, or null. */
  libDir: string | null;
  /** The folder holding TorchConfig.cmake (a source build needs it), or null. */
  cmakeDir: string | null;
  /** Whether the C++ headers (torch/version.h) are there (a source build needs them). */
  headers: boolean;
  version: string | null;
  /** libtorch_cuda.so is present. */
  cuda: boolean;
  /** The CUDA version it was built with, where recorded (pip's torch.version.cuda, build-version's +cuXYZ). */
  cudaVersion: string | null;
  /** `_GLIBCXX_USE_CXX11_ABI` (TorchConfig.cmake's TORCH_CXX_FLAGS, or PyTorch's own answer). */
  cxx11Abi: boolean | null;
}

/** What a python interpreter says about its PyTorch (or why it could not say). */
export interface PythonProbe {
  python: string;
  torchDir?: string;
  version?: string;
  cudaVersion?: string | null;
  cxx11Abi?: boolean;
  /** torch.utils.cmake_prefix_path: where its TorchConfig.cmake is (under Torch/), as tch-rs asks. */
  cmakePrefixPath?: string;
  error?: string;
}

const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);

/** Debian puts libraries under /usr/lib/<triplet>: look in lib/ and each of its subfolders. */
function libDirs(prefix: string): string[] {
  const lib = join(prefix, 'lib');
  if (!existsSync(lib)) return [];
  const subdirs = readdirSync(lib, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.includes('-linux-'))
    .map((e) => join(lib, e.name));
  return [lib, ...subdirs];
}

function findLibDir(prefix: string): string | null {
  return libDirs(prefix).find((d) => existsSync(join(d, 'libtorch.so'))) ?? null;
}

function findCmakeDir(prefix: string, libDir: string | null): string | null {
  const dirs = [
    join(prefix, 'share', 'cmake', 'Torch'),
    ...libDirs(prefix).map((d) => join(d, 'cmake', 'Torch')),
  ];
  if (libDir !== null) dirs.push(join(libDir, 'cmake', 'Torch'));
  return dirs.find((d) => existsSync(join(d, 'TorchConfig.cmake'))) ?? null;
}

const versionHeader = (prefix: string) =>
  join(prefix, 'include', 'torch', 'csrc', 'api', 'include', 'torch', 'version.h');

/** The version, from the most precise record present: version.h, build-version, a wheel's version.py, the cmake version file, the soname. */
function findVersion(prefix: string, libDir: string | null, cmakeDir: string | null): string | null {
  const header = read(versionHeader(prefix));
  const fromHeader = header && /#define TORCH_VERSION\s*\\?\s*"([^"]+)"/.exec(header)?.[1];
  if (fromHeader) return fromHeader;
  const build = read(join(prefix, 'build-version'))?.trim();
  if (build) return build;
  // A pip wheel's torch/ folder: version.py has the local tag too (2.13.0+cpu); libtorch 2.x's
  // version.h no longer spells the version out.
  const pip = read(join(prefix, 'version.py'));
  const fromPip = pip && /^__version__ = '([^']+)'/m.exec(pip)?.[1];
  if (fromPip) return fromPip;
  const cmake = cmakeDir && read(join(cmakeDir, 'TorchConfigVersion.cmake'));
  const fromCmake = cmake && /PACKAGE_VERSION "([^"]+)"/.exec(cmake)?.[1];
  if (fromCmake) return fromCmake;
  if (libDir === null) return null;
  // libtorch.so -> libtorch.so.1.13 -> libtorch.so.1.13.0 (Debian): the soname carries it.
  return /\.so\.(\d[\d.]*)$/.exec(basename(realpathSync(join(libDir, 'libtorch.so'))))?.[1] ?? null;
}

function findAbi(cmakeDir: string | null): boolean | null {
  const config = cmakeDir && read(join(cmakeDir, 'TorchConfig.cmake'));
  const flag = config && /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(config)?.[1];
  return flag ? flag === '1' : null;
}

/** Reads what a prefix (libtorch folder, torch/ folder or /usr) holds. */
export function inspectPrefix(source: string, dir: string): LibtorchCandidate {
  const libDir = existsSync(dir) ? findLibDir(dir) : null;
  const cmakeDir = existsSync(dir) ? findCmakeDir(dir, libDir) : null;
  const buildVersion = read(join(dir, 'build-version')) ?? '';
  const cu = /\+cu(\d+)(\d)\b/.exec(buildVersion);
  return {
    source,
    dir,
    exists: existsSync(dir),
    libDir,
    cmakeDir,
    headers: existsSync(versionHeader(dir)),
    version: existsSync(dir) ? findVersion(dir, libDir, cmakeDir) : null,
    cuda: libDir !== null && existsSync(join(libDir, 'libtorch_cuda.so')),
    cudaVersion: cu ? `${cu[1]}.${cu[2]}` : null,
    cxx11Abi: findAbi(cmakeDir),
  };
}

const PROBE = [
  'import json, os, torch',
  'print(json.dumps({"torchDir": os.path.dirname(torch.__file__), "version": torch.__version__,',
  ' "cudaVersion": torch.version.cuda, "cxx11Abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI),',
  ' "cmakePrefixPath": torch.utils.cmake_prefix_path}))',
].join('\n');

/** Asks a python interpreter for its PyTorch (importing torch takes a second or two). */
export function probePython(python: string): PythonProbe {
  const run = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) return { python, error: run.error.message };
  if (run.status !== 0)
    return { python, error: run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}` };
  return { python, ...(JSON.parse(run.stdout) as Omit<PythonProbe, 'python'>) };
}

/** Every candidate, LIBTORCH first (it wins in CMakeLists.txt too), each folder once. */
export function findLibtorch(env: NodeJS.ProcessEnv = process.env): {
  candidates: LibtorchCandidate[];
  pythons: PythonProbe[];
} {
  const candidates: LibtorchCandidate[] = [];
  const seen = new Set<string>();
  const add = (c: LibtorchCandidate) => {
    const key = c.exists ? realpathSync(c.dir) : c.dir;
    if (!seen.has(key)) candidates.push(c);
    seen.add(key);
  };
  const libtorch = env['LIBTORCH'];
  if (libtorch !== undefined && libtorch !== '') add(inspectPrefix('LIBTORCH', resolve(libtorch)));
  const pythons = ['python3', '/usr/bin/python3'].map(probePython);
  for (const p of pythons) {
    if (p.torchDir === undefined) continue;
    const c = inspectPrefix(`python:${p.python}`, p.torchDir);
    const cmakeDir = p.cmakePrefixPath === undefined ? null : join(p.cmakePrefixPath, 'Torch');
    // PyTorch knows its own version, CUDA and ABI better than files do.
    add({
      ...c,
      version: p.version ?? c.version,
      cudaVersion: p.cudaVersion ?? c.cudaVersion,
      cxx11Abi: p.cxx11Abi ?? c.cxx11Abi,
      cmakeDir: cmakeDir !== null && existsSync(join(cmakeDir, 'TorchConfig.cmake')) ? cmakeDir : c.cmakeDir,
    });
  }
  for (const prefix of ['/usr', '/usr/local']) {
    const c = inspectPrefix('system', prefix);
    if (c.libDir !== null || c.cmakeDir !== null) add(c);
  }
  return { candidates, pythons };
}

/** The candidate a source build uses by default: the first with headers and cmake files. */
export const buildable = (c: LibtorchCandidate): boolean => c.headers && c.cmakeDir !== null;
