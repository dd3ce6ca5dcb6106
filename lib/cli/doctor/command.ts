/**
 * `resnet-native doctor`: what libtorch is there, whether the addon loads, and (--build) a
 * source build against a chosen libtorch. It imports nothing that loads the addon, so it runs
 * exactly where the rest of the CLI cannot.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { listPrebuilts, type Prebuilt } from '../../addon_choice.js';
import { buildAddon, checkAddon, type AddonCheck } from './addon.js';
import {
  buildable,
  findLibtorch,
  inspectPrefix,
  type LibtorchCandidate,
  type PythonProbe,
} from './libtorch.js';

interface DoctorFlags {
  json?: boolean;
  build?: boolean;
  libtorch?: string;
}

/** The package folder: the first one above this file with a package.json (dist/ or lib/cli/doctor/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const yesNo = (b: boolean | null) => (b === null ? 'unknown' : b ? 'yes' : 'no');

function describe(c: LibtorchCandidate): string {
  if (!c.exists) return `${c.source}: ${c.dir} does not exist`;
  const cuda = c.cuda ? `yes${c.cudaVersion ? ` (CUDA ${c.cudaVersion})` : ''}` : 'no';
  return [
    `${c.source}: ${c.dir}`,
    `  version     ${c.version ?? 'unknown'}`,
    `  cuda        ${cuda}`,
    `  cxx11 abi   ${yesNo(c.cxx11Abi)}`,
    `  libraries   ${c.libDir ?? 'not found'}`,
    `  buildable   ${buildable(c) ? `yes (${c.cmakeDir})` : `no (${c.headers ? '' : 'no headers, '}${c.cmakeDir ? '' : 'no TorchConfig.cmake'})`}`,
  ].join('\n');
}

function report(
  candidates: LibtorchCandidate[],
  pythons: PythonProbe[],
  prebuilts: Prebuilt[],
  addon: AddonCheck,
): string {
  const lines = ['libtorch found:'];
  if (candidates.length === 0)
    lines.push('  none (install libtorch-dev, or set LIBTORCH to a libtorch folder)');
  lines.push(...candidates.map((c) => describe(c).replace(/^/gm, '  ')));
  for (const p of pythons.filter((p) => p.error !== undefined))
    lines.push(`  (${p.python}: no PyTorch: ${p.error})`);
  lines.push('', 'prebuilt addons (used when no local build exists and the libtorch found matches):');
  if (prebuilts.length === 0) lines.push('  none');
  lines.push(...prebuilts.map((p) => `  CPU libtorch ${p.libtorch}: ${p.file}`));
  lines.push('', 'addon:');
  if (addon.loads)
    lines.push(`  loads: ${addon.file ?? 'unknown file'} (${addon.kind}, libtorch ${addon.libtorch})`);
  else lines.push('  does not load:', ...(addon.error ?? '').split('\n').map((l) => `    ${l}`));
  if (!addon.loads && candidates.some(buildable))
    lines.push(
      '',
      'Build it from source against the first buildable libtorch: npx resnet-native doctor --build',
    );
  return lines.join('\n');
}

function chooseLibtorch(candidates: LibtorchCandidate[], dir: string | undefined): LibtorchCandidate {
  const chosen = dir === undefined ? candidates.find(buildable) : inspectPrefix('--libtorch', resolve(dir));
  if (chosen === undefined)
    throw new Error(
      'no libtorch with headers and TorchConfig.cmake was found: install libtorch-dev or pass --libtorch <dir>',
    );
  if (!buildable(chosen))
    throw new Error(`${chosen.dir} has no C++ headers or no TorchConfig.cmake: it cannot be built against`);
  return chosen;
}

function doctor(flags: DoctorFlags): void {
  if (flags.libtorch !== undefined && flags.build !== true)
    throw new Error('--libtorch chooses what --build builds against: add --build');
  const root = packageRoot();
  const { candidates, pythons } = findLibtorch();
  let built: LibtorchCandidate | null = null;
  if (flags.build === true) {
    built = chooseLibtorch(candidates, flags.libtorch);
    console.error(
      `resnet-native doctor: building against ${built.dir} (${built.version ?? 'unknown version'})`,
    );
    buildAddon(root, built);
  }
  const addon = checkAddon(root);
  const prebuilts = listPrebuilts(root);
  if (flags.json === true)
    console.log(
      JSON.stringify({ root, candidates, pythons, prebuilts, built: built?.dir ?? null, addon }, null, 2),
    );
  else console.log(report(candidates, pythons, prebuilts, addon));
  if (built !== null && !addon.loads) process.exitCode = 1;
}

/** The `doctor` subcommand, for the full CLI and for the light entry that skips the addon. */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('find libtorch, check that the native addon loads, or (--build) build it from source')
    .option('--json', 'machine-readable output')
    .option('--build', 'build the addon from source (cmake-js), then check that it loads')
    .option(
      '--libtorch <dir>',
      'the libtorch to build against (default: the first found with headers and cmake files)',
    )
    .action((flags: DoctorFlags) => doctor(flags));
}
