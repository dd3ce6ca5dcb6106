/** Versions of this library and of what it was built against. */
import { createRequire } from 'node:module';
import { native } from './binding.js';

/** What `version` reports. */
export interface VersionInfo {
  /** This package's version (package.json). */
  resnetNative: string;
  /** The libtorch version the addon was built against (TORCH_VERSION). */
  libtorch: string;
  /** CUDA runtime version as libtorch reports it (e.g. 13000), or null without CUDA. */
  cuda: number | null;
  /** cuDNN version as libtorch reports it, or null without cuDNN. */
  cudnn: number | null;
}

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** Versions of this library, libtorch, CUDA and cuDNN (frozen). */
export const version: VersionInfo = Object.freeze({ resnetNative: pkg.version, ...native.version() });
