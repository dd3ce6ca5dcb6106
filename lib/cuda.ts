/**
 * `cuda`: the GPUs as libtorch sees them, as `torch.cuda`. Without a CUDA device (a CPU-only
 * libtorch, or no GPU) each function answers as PyTorch does there: `deviceCount()` is 0, the
 * memory counters are 0, `emptyCache()` and `manualSeed()` do nothing, and `synchronize()` and
 * the RNG state functions throw a DeviceError. Naming a device explicitly ('cuda', 'cuda:N')
 * always checks it: a DeviceError says that no CUDA device is available and which libtorch was
 * loaded.
 */
import { native } from './binding.js';
import { resolveDevice } from './device.js';
import type { Device } from './dtype.js';
import { DeviceError } from './errors.js';
import { type Tensor, handleOf, wrap } from './tensor.js';
import { checkBool, checkInt } from './validate.js';

/** A CUDA device by name ('cuda', 'cuda:N') or by index, as torch.cuda's `device` arguments. */
export type CudaDevice = Device | number;

/** The index of a CUDA device argument; `undefined` is the current device (0). */
function indexOf(name: string, device: CudaDevice | undefined): number {
  if (device === undefined) return 0;
  const resolved = resolveDevice(
    name,
    typeof device === 'number' ? `cuda:${checkInt(name, device, 0)}` : device,
  );
  if (resolved === 'cpu')
    throw new DeviceError(
      `Expected a CUDA device ('cuda', 'cuda:N' or an index) for ${name} but received 'cpu'`,
    );
  return Number(resolved.slice(5));
}

/** A memory counter of the caching allocator (0 without a CUDA device, as torch.cuda's). */
function counter(
  which: 'cudaMemoryAllocated' | 'cudaMemoryReserved',
  device: CudaDevice | undefined,
): number {
  const index = indexOf('device', device);
  if (native.cudaDeviceCount() === 0) return 0;
  return native[which]!(index);
}

/** CUDA devices as libtorch sees them (`torch.cuda`). */
export const cuda = {
  /** Whether libtorch can use a CUDA device here (`torch.cuda.is_available`). */
  isAvailable: (): boolean => native.cudaIsAvailable(),
  /** The number of visible CUDA devices (`torch.cuda.device_count`); 0 without CUDA. */
  deviceCount: (): number => native.cudaDeviceCount(),
  /**
   * Waits until the work queued on `device` (default: the current device) has finished, as
   * `torch.cuda.synchronize`; a DeviceError without a CUDA device (PyTorch raises there too).
   */
  synchronize: (device?: CudaDevice): void =>
    native.cudaSynchronizeDevice(device === undefined ? -1 : indexOf('device', device)),
  /** Bytes of tensors the caching allocator holds for `device` (`torch.cuda.memory_allocated`). */
  memoryAllocated: (device?: CudaDevice): number => counter('cudaMemoryAllocated', device),
  /** Bytes the caching allocator reserved from the driver on `device` (`torch.cuda.memory_reserved`). */
  memoryReserved: (device?: CudaDevice): number => counter('cudaMemoryReserved', device),
  /** Returns the allocator's unused cached blocks to the driver (`torch.cuda.empty_cache`). */
  emptyCache: (): void => {
    if (native.cudaDeviceCount() > 0) native.cudaEmptyCache!();
  },
  /** Seeds the current CUDA device's generator (`torch.cuda.manual_seed`); nothing without CUDA. */
  manualSeed: (seed: number): void => native.cudaManualSeed(checkInt('seed', seed, 0), 0),
  /** Seeds every CUDA device's generator (`torch.cuda.manual_seed_all`); nothing without CUDA. */
  manualSeedAll: (seed: number): void => native.cudaManualSeed(checkInt('seed', seed, 0), -1),
  /** The generator state of `device` (default 0) as a uint8 CPU tensor (`torch.cuda.get_rng_state`). */
  getRngState: (device?: CudaDevice): Tensor<'uint8'> =>
    wrap(native.cudaGetRngState(indexOf('device', device ?? 'cuda'))),
  /** Restores a state from `getRngState()` on `device` (default 0) (`torch.cuda.set_rng_state`). */
  setRngState: (state: Tensor, device?: CudaDevice): void =>
    native.cudaSetRngState(handleOf(state, 'state'), indexOf('device', device ?? 'cuda')),
  /** TF32 math on Ampere and later for both cuDNN and cuBLAS (see `backends` for each alone). */
  setAllowTF32: (allow: boolean): void => native.setAllowTF32(checkBool('allow', allow)),
};
