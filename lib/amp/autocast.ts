/**
 * `autocast`, as `torch.autocast`: libtorch's own autocast (the dispatcher's Autocast keys), so
 * the ops that run in float16/bfloat16 and those kept in float32 are exactly torch.autocast's
 * lists for the libtorch loaded (native/autocast.cc).
 */
import { native } from '../binding.js';
import { version } from '../version.js';
import { ArgumentError, DTypeError, DeviceError } from '../errors.js';
import { describe } from '../describe.js';
import { checkBool, checkOptions, fail } from '../validate.js';
import { setAutocastMirror } from './state.js';

/** The device types autocast applies to (a type, not a device: `'cuda'`, not `'cuda:1'`). */
export type AutocastDeviceType = 'cpu' | 'cuda';

/** The lower-precision dtypes autocast casts to. */
export type AutocastDType = 'float16' | 'bfloat16';

/** What `autocast` enables, as `torch.autocast(device_type, dtype, enabled)`. */
export interface AutocastOptions {
  /** `'cpu'` or `'cuda'`. */
  deviceType: AutocastDeviceType;
  /** The lower precision (default as PyTorch's: float16 on CUDA, bfloat16 on CPU). */
  dtype?: AutocastDType;
  /** false runs `fn` with autocast off for this device type, even inside an enabled region (default true). */
  enabled?: boolean;
}

/** PyTorch's default autocast dtype per device type. */
export const defaultAutocastDType: Readonly<Record<AutocastDeviceType, AutocastDType>> = {
  cpu: 'bfloat16',
  cuda: 'float16',
};

function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor.name === 'AsyncFunction';
}

/** The device type and dtype, checked: clear errors for what libtorch would refuse or ignore. */
export function checkAutocast(options: AutocastOptions): {
  deviceType: AutocastDeviceType;
  dtype: AutocastDType;
  enabled: boolean;
} {
  const o = checkOptions('options', options);
  const deviceType = o['deviceType'];
  if (deviceType !== 'cpu' && deviceType !== 'cuda')
    throw new DeviceError(
      `Expected 'cpu' or 'cuda' for deviceType (a device type, not a device such as 'cuda:1') but received ${describe(deviceType)}`,
    );
  const enabled = o['enabled'] === undefined ? true : checkBool('enabled', o['enabled']);
  const dtype = o['dtype'] ?? defaultAutocastDType[deviceType];
  if (dtype !== 'float16' && dtype !== 'bfloat16')
    throw new DTypeError(`Expected 'float16' or 'bfloat16' for dtype but received ${describe(dtype)}`);
  if (deviceType === 'cuda' && enabled && !native.cudaIsAvailable())
    throw new DeviceError(
      `autocast({ deviceType: 'cuda' }) needs a CUDA device but no CUDA device is available ` +
        `(libtorch ${version.libtorch}, ${version.cuda === null ? 'built without CUDA' : `CUDA ${version.cuda}`})`,
    );
  if (deviceType === 'cpu' && !native.autocastCpuDTypes().includes(dtype))
    // PyTorch 1.13 warns and runs without autocast; a silent float32 run would pass for a
    // mixed-precision one, so this is an error.
    throw new DTypeError(
      `Expected ${native
        .autocastCpuDTypes()
        .map((d) => `'${d}'`)
        .join(' or ')} for CPU autocast with libtorch ${version.libtorch} but received '${dtype}'`,
    );
  return { deviceType, dtype, enabled };
}

/**
 * Runs `fn` with autocast on (or off, with `enabled: false`) for `deviceType` and returns its
 * result, as PyTorch's `with torch.autocast(device_type, dtype=dtype):`. Inside, the ops on
 * torch.autocast's lists run in `dtype` (convolutions, linear and matrix products) or in float32
 * (losses, reductions that need range); the state before comes back when `fn` returns or
 * throws. Regions nest. Call `backward()` outside, as PyTorch recommends: its ops follow the
 * forward's dtypes.
 *
 * The state is thread-local, as PyTorch's, and covers `fn`'s synchronous run only. A function
 * that returns a promise, e.g. `() => model.forwardAsync(x)`, is fine: the replay it starts
 * runs under the autocast state of its call. An `async` function is refused, because the code
 * after its first `await` would run without autocast (or leave it on for unrelated code if
 * the state stayed set until the promise settled).
 */
export function autocast<T>(options: AutocastOptions, fn: () => T): T {
  const { deviceType, dtype, enabled } = checkAutocast(options);
  if (typeof fn !== 'function') fail('fn', 'a function', fn);
  if (isAsyncFunction(fn))
    throw new ArgumentError(
      'Expected a synchronous function for autocast fn but received an async function: autocast covers ' +
        "fn's synchronous part only (the state is thread-local), so code after an await would run without it. " +
        'Return the promise from a plain function instead, e.g. () => model.forwardAsync(x)',
    );
  const [previousEnabled, previousDType] = native.autocastEnter(deviceType, enabled, dtype);
  setAutocastMirror(deviceType, enabled);
  try {
    return fn();
  } finally {
    native.autocastExit(deviceType, previousEnabled === 1, previousDType);
    setAutocastMirror(deviceType, previousEnabled === 1);
  }
}

/** Whether autocast is on for `deviceType` on this thread now (`torch.is_autocast_enabled`). */
export function isAutocastEnabled(deviceType: AutocastDeviceType = 'cuda'): boolean {
  const [cpu, , cudaOn] = native.autocastState();
  if (deviceType === 'cpu') return cpu;
  if (deviceType === 'cuda') return cudaOn;
  throw new DeviceError(`Expected 'cpu' or 'cuda' for deviceType but received ${describe(deviceType)}`);
}

/** @internal The autocast state as a string, for the keys of captured programs (lib/nn/capture_key.ts). */
export function autocastKey(): string {
  const [cpu, cpuDType, cudaOn, cudaDType] = native.autocastState();
  return `ac:${cpu ? cpuDType : '-'}:${cudaOn ? cudaDType : '-'}`;
}
