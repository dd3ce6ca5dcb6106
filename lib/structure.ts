/**
 * A counter of changes that can make a captured program stale: a module's parameters, buffers
 * or children replaced, train/eval switched, tensors moved or converted, requiresGrad changed.
 * Captured-program caches recompute their module's fingerprint only when it moved.
 */
let epoch = 0;

/** @internal */
export function structureChanged(): void {
  epoch++;
}

/** @internal */
export function structureEpoch(): number {
  return epoch;
}
