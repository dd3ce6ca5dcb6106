/** The CUDA devices present, described for `resnet-native info` (internal; not exported from the index). */
import { native } from './binding.js';

/** One CUDA device, as cudaGetDeviceProperties describes it. */
export interface CudaDeviceInfo {
  index: number;
  /** e.g. "NVIDIA H200"; null when the addon was built without CUDA headers. */
  name: string | null;
  /** Bytes of device memory. */
  totalMemory: number | null;
  /** Compute capability [major, minor], e.g. [9, 0]. */
  capability: [number, number] | null;
}

/** The devices present now; empty without a GPU or with a CPU libtorch. */
export function cudaDevices(): CudaDeviceInfo[] {
  return native.cudaDevices();
}
