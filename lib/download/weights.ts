/**
 * torchvision's published weights by name (`ResNet50_Weights.IMAGENET1K_V2`, or `DEFAULT`):
 * looked up in torchvision.json, taken from the cache when there (resnet-native's, or torch.hub's
 * when PyTorch already downloaded them), else downloaded into the cache with torch.hub's
 * check_hash: the file's sha256 must start with the hex in its name (`resnet50-11ad3fa6.pth`).
 * As in torch.hub, a cached file is trusted: only a verified download is ever renamed into place.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '../errors.js';
import { cacheDir, mirrorUrl, torchHubCheckpointsDir } from './cache.js';
import { downloadFile } from './fetch_file.js';
import { weightsTable, type WeightsEntry } from './table.js';

/** Options of a weights download. */
export interface WeightsDownloadOptions {
  /** A base URL serving the same file names (default: `RESNET_NATIVE_MIRROR`, else download.pytorch.org). */
  mirror?: string;
}

/** A resolved weights name: `ResNet50_Weights.IMAGENET1K_V2` and its table entry. */
export interface ResolvedWeights {
  /** torchvision's qualified name, e.g. 'ResNet50_Weights.IMAGENET1K_V2'. */
  qualifiedName: string;
  entry: WeightsEntry;
}

/** The architectures that have published weights. */
export const pretrainedArchitectures: readonly string[] = Object.keys(weightsTable);

/**
 * `arch`'s weights called `name` ('IMAGENET1K_V1', 'IMAGENET1K_V2', 'DEFAULT', or the qualified
 * 'ResNet50_Weights.IMAGENET1K_V2'); an ArgumentError lists the names there are.
 */
export function resolveWeights(arch: string, name: string): ResolvedWeights {
  const table = weightsTable[arch];
  if (table === undefined)
    throw new ArgumentError(
      `Expected an architecture with published weights (${pretrainedArchitectures.join(', ')}) but received '${arch}'`,
    );
  const bare = name.startsWith(`${table.enum}.`) ? name.slice(table.enum.length + 1) : name;
  const member = bare === 'DEFAULT' ? table.default : bare;
  const entry = table.members[member];
  if (entry === undefined)
    throw new ArgumentError(
      `Expected one of ${[...Object.keys(table.members), 'DEFAULT'].map((n) => `'${n}'`).join(', ')} ` +
        `for the weights of ${arch} (${table.enum}) but received '${name}'`,
    );
  return { qualifiedName: `${table.enum}.${member}`, entry };
}

/** Where a weights file is cached (resnet-native's cache, `weights/<file>`). */
export function weightsCachePath(entry: WeightsEntry): string {
  return join(cacheDir(), 'weights', entry.file);
}

/**
 * The local path of `entry`'s file: the cached one, torch.hub's, or a fresh verified download
 * into the cache (a DownloadError says what to do offline, a ChecksumError keeps nothing).
 */
export async function fetchWeights(
  entry: WeightsEntry,
  what: string,
  options: WeightsDownloadOptions = {},
): Promise<string> {
  const cached = weightsCachePath(entry);
  if (existsSync(cached)) return cached;
  const torchHub = join(torchHubCheckpointsDir(), entry.file);
  if (existsSync(torchHub)) return torchHub;
  const url = mirrorUrl(entry.file, entry.url, options.mirror);
  await downloadFile({ url, dest: cached, checksum: { sha256Prefix: entry.sha256Prefix }, what });
  return cached;
}

/**
 * Downloads (or finds in the cache) torchvision's weights `name` of `arch` and returns the
 * file's path, e.g. `await downloadWeights('resnet50', 'IMAGENET1K_V2')`; `load(path)` reads it.
 */
export async function downloadWeights(
  arch: string,
  name: string,
  options: WeightsDownloadOptions = {},
): Promise<string> {
  const { qualifiedName, entry } = resolveWeights(arch, name);
  return fetchWeights(entry, `the weights ${qualifiedName}`, options);
}
