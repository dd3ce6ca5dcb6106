/** Versions of this library and of what it was built against. */
import { createRequire } from 'node:module';
import { native } from './binding.js';

export interface VersionInfo {
  resnetNative: string;
  libtorch: string;
  /** CUDA runtime version as libtorch reports it (e.g. 13000), or null without CUDA. */
  cuda: number | null;
  cudnn: number | null;
}

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const version: VersionInfo = Object.freeze({ resnetNative: pkg.version, ...native.version() });
