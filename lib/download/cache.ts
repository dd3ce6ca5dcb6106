/**
 * Where downloads go: `RESNET_NATIVE_HOME` when set, else `$XDG_CACHE_HOME/resnet-native`, else
 * `~/.cache/resnet-native` (weights under `weights/`, datasets under `datasets/<name>/`).
 * Weights that PyTorch already downloaded (torch.hub's `$TORCH_HOME/hub/checkpoints`, by
 * default `~/.cache/torch/hub/checkpoints`) are used from there, after the same hash check.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

const xdgCache = (): string => env('XDG_CACHE_HOME') ?? join(homedir(), '.cache');

/** The cache folder of resnet-native (see the module comment for how it is chosen). */
export function cacheDir(): string {
  return env('RESNET_NATIVE_HOME') ?? join(xdgCache(), 'resnet-native');
}

/** torch.hub's checkpoint folder, as `torch.hub.get_dir()` chooses it. */
export function torchHubCheckpointsDir(): string {
  return join(env('TORCH_HOME') ?? join(xdgCache(), 'torch'), 'hub', 'checkpoints');
}

/**
 * The base URL that replaces every download's own (the file name is appended), from the
 * option or `RESNET_NATIVE_MIRROR`: a local mirror for machines without internet, or a test server.
 */
export function mirrorUrl(fileName: string, original: string, mirror?: string): string {
  const base = mirror ?? env('RESNET_NATIVE_MIRROR');
  if (base === undefined) return original;
  return `${base.endsWith('/') ? base : `${base}/`}${encodeURIComponent(fileName)}`;
}
