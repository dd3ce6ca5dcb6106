/** GradScaler's state dict: PyTorch's layout, and its checked reading (lib/amp/grad_scaler.ts). */
import { describe } from '../describe.js';
import { StateDictError } from '../errors.js';

/** A GradScaler's state in PyTorch's `state_dict()` layout (empty when disabled). */
export interface GradScalerStateDict {
  /** The current scale. */
  scale?: number;
  /** `growthFactor`. */
  growth_factor?: number;
  /** `backoffFactor`. */
  backoff_factor?: number;
  /** `growthInterval`. */
  growth_interval?: number;
  /** Clean steps since the last growth or backoff. */
  _growth_tracker?: number;
}

/** @internal The values of a GradScaler state dict, checked: StateDictError names a bad entry. */
export function parseGradScalerState(sd: GradScalerStateDict): {
  scale: number;
  growth: number;
  backoff: number;
  interval: number;
  tracker: number;
} {
  if (sd === null || typeof sd !== 'object' || Object.keys(sd).length === 0)
    throw new StateDictError(
      `Expected a GradScaler state dict with scale, growth_factor, backoff_factor, growth_interval and _growth_tracker but received ${describe(sd)} (a disabled GradScaler saves {})`,
    );
  const number = (key: keyof GradScalerStateDict, ok: (v: number) => boolean): number => {
    const v = sd[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      throw new StateDictError(
        `Expected a valid number for ${key} in the GradScaler state dict but received ${describe(v)}`,
      );
    return v;
  };
  return {
    scale: number('scale', (v) => v > 0),
    growth: number('growth_factor', (v) => v > 1),
    backoff: number('backoff_factor', (v) => v > 0 && v < 1),
    interval: number('growth_interval', (v) => Number.isInteger(v) && v >= 1),
    tracker: number('_growth_tracker', (v) => Number.isInteger(v) && v >= 0),
  };
}
