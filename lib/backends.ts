/**
 * `backends`: libtorch's process-wide switches for cuDNN and cuBLAS, as `torch.backends`, and
 * deterministic algorithms, as `torch.use_deterministic_algorithms`. They are plain flags:
 * readable and settable with a CPU-only libtorch too, where they change nothing. Setting one
 * while a capture records is refused (a replay would not reproduce it).
 */
import { native } from './binding.js';
import { checkBool, checkOptions } from './validate.js';

type Flag =
  | 'cudnnEnabled'
  | 'cudnnBenchmark'
  | 'cudnnDeterministic'
  | 'cudnnAllowTF32'
  | 'matmulAllowTF32'
  | 'deterministicAlgorithms';

const read = (flag: Flag): boolean => native.backendFlags()[flag];
const write = (flag: Flag, name: string, value: unknown): void =>
  native.setBackendFlag(flag, checkBool(name, value), false);

/** The cuDNN switches (`torch.backends.cudnn`). */
export interface CudnnBackend {
  /** Use cuDNN where it can run an op (default true). */
  enabled: boolean;
  /**
   * Time the cuDNN algorithms for each new input shape and keep the fastest (default false;
   * the Trainer turns it on while it trains on a GPU, as torchvision's training script does).
   */
  benchmark: boolean;
  /** Only deterministic cuDNN algorithms (default false). */
  deterministic: boolean;
  /** TF32 tensor cores in cuDNN convolutions on Ampere and later (default true, as PyTorch). */
  allowTF32: boolean;
}

/** The cuBLAS switches (`torch.backends.cuda`). */
export interface CudaBackend {
  /** Matrix products (`torch.backends.cuda.matmul`). */
  matmul: {
    /** TF32 tensor cores in float32 matrix products (default false, as PyTorch). */
    allowTF32: boolean;
  };
}

/**
 * An object whose boolean properties read and write native flags: `{ enabled: 'cudnnEnabled' }`
 * gives `enabled`, named `${prefix}.enabled` in errors.
 */
function switches<T extends object>(prefix: string, flags: Record<keyof T & string, Flag>): T {
  const target = {};
  for (const [key, flag] of Object.entries(flags) as [string, Flag][])
    Object.defineProperty(target, key, {
      enumerable: true,
      get: () => read(flag),
      set: (v: unknown) => write(flag, `${prefix}.${key}`, v),
    });
  return target as T;
}

const cudnn = switches<CudnnBackend>('backends.cudnn', {
  enabled: 'cudnnEnabled',
  benchmark: 'cudnnBenchmark',
  deterministic: 'cudnnDeterministic',
  allowTF32: 'cudnnAllowTF32',
});

const cudaBackend: CudaBackend = {
  matmul: switches<CudaBackend['matmul']>('backends.cuda.matmul', { allowTF32: 'matmulAllowTF32' }),
};

/** libtorch's backend switches, as `torch.backends`: `backends.cudnn.benchmark = true`. */
export const backends: { readonly cudnn: CudnnBackend; readonly cuda: CudaBackend } = Object.freeze({
  cudnn,
  cuda: cudaBackend,
});

/**
 * Makes ops use deterministic algorithms where libtorch has them and throw where it has none
 * (with `warnOnly`, warn instead), as `torch.use_deterministic_algorithms`.
 */
export function useDeterministicAlgorithms(mode: boolean, options: { warnOnly?: boolean } = {}): void {
  const o = checkOptions('options', options);
  const warnOnly = o['warnOnly'] === undefined ? false : checkBool('warnOnly', o['warnOnly']);
  native.setBackendFlag('deterministicAlgorithms', checkBool('mode', mode), warnOnly);
}

/** Whether deterministic algorithms are on (`torch.are_deterministic_algorithms_enabled`). */
export function areDeterministicAlgorithmsEnabled(): boolean {
  return read('deterministicAlgorithms');
}
