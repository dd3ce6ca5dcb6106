/**
 * Device names, checked once: the syntax here, and whether the device exists in native/devices.cc,
 * the one place that words the error when CUDA cannot be used (naming the libtorch that was
 * loaded, so a user sees whether the build or the machine lacks CUDA).
 */
import { native } from './binding.js';
import { checkDevice } from './validate.js';

/** A device as libtorch names it once resolved: `'cpu'` or `'cuda:N'` (`'cuda'` is device 0). */
export type ResolvedDevice = 'cpu' | `cuda:${number}`;

/**
 * `value` as `'cpu'` or `'cuda:N'`; a DeviceError when it is not a device name, when no CUDA
 * device is available, or when the index is at or above the device count.
 */
export function resolveDevice(name: string, value: unknown): ResolvedDevice {
  return native.checkDevice(checkDevice(name, value), name) as ResolvedDevice;
}

/** The DeviceError text for `subject` on a machine without a usable CUDA device. */
export function noCudaMessage(subject: string): string {
  return native.noCudaMessage(subject);
}
