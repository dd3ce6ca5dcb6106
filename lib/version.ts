/** Versions of this library and of what it was built against. */
import { createRequire } from 'node:module';
import { native } from './binding.js';

/** What `version` reports. */
export interface VersionInfo {
  /** This package's version (package.json). */
  resnetNative: string;
  /** The libtorch version the addon was built against (TORCH_VERSION). */
  libtorch: string;
  /**
   * The CUDA version this libtorch was built for (CUDART_VERSION: 13000 is 13.0), or null for
   * a CPU libtorch. Known without a GPU; whether a device is present is `cudaAvailable`.
   */
  cuda: number | null;
  /**
   * The cuDNN version this libtorch was built with (CUDNN_VERSION: 92400 is 9.24.0), or null
   * when it has no cuDNN.
   */
  cudnn: number | null;
  /** Whether a CUDA device is present and usable now (`cuda.isAvailable()`; asked on each read). */
  readonly cudaAvailable: boolean;
}

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * Versions of this library, libtorch, and the CUDA and cuDNN that libtorch was built with
 * (frozen), and whether a CUDA device is present.
 */
export const version: VersionInfo = Object.freeze({
  resnetNative: pkg.version,
  ...native.version(),
  // A getter: asking initializes the CUDA driver, which a CPU-only program should not pay for at import.
  get cudaAvailable(): boolean {
    return native.cudaIsAvailable();
  },
});

/** "13.0" for CUDART_VERSION 13000 (major * 1000 + minor * 10). */
export function formatCudaVersion(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

/** "9.24.0" for CUDNN_VERSION 92400 (cuDNN 9: major * 10000 + minor * 100 + patch; 8: major * 1000 + ...). */
export function formatCudnnVersion(v: number): string {
  const major = v >= 90000 ? Math.floor(v / 10000) : Math.floor(v / 1000);
  const rest = v >= 90000 ? v % 10000 : v % 1000;
  return `${major}.${Math.floor(rest / 100)}.${rest % 100}`;
}
