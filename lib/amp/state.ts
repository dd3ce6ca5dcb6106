/**
 * Which device types autocast is on for on this thread, mirrored in JavaScript (only
 * `autocast` changes libtorch's thread-local state on this thread), so that argument checks can
 * let mixed dtypes through where autocast casts them, without a native call per check.
 */
const enabled = { cpu: false, cuda: false };

/** @internal Whether an autocast region is on for any device type on this thread. */
export function anyAutocast(): boolean {
  return enabled.cpu || enabled.cuda;
}

/** @internal Sets the mirror for `deviceType`; returns the previous value. */
export function setAutocastMirror(deviceType: 'cpu' | 'cuda', on: boolean): boolean {
  const previous = enabled[deviceType];
  enabled[deviceType] = on;
  return previous;
}
