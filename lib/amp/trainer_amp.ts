/**
 * The Trainer's `amp` option: which autocast its forward passes run under and whether a
 * GradScaler scales its losses, as torchvision's reference training script does with `--amp`
 * (float16 with a GradScaler on CUDA; bfloat16, which needs no scaling, on CPU).
 */
import type { Device } from '../dtype.js';
import { describe } from '../describe.js';
import { ArgumentError } from '../errors.js';
import {
  autocast,
  checkAutocast,
  defaultAutocastDType,
  type AutocastDType,
  type AutocastOptions,
} from './autocast.js';
import { GradScaler, type GradScalerOptions } from './grad_scaler.js';

/** `amp: { ... }` of the Trainer; `amp: true` takes every default. */
export interface TrainerAmpOptions {
  /** The autocast dtype (default: float16 on CUDA, bfloat16 on CPU). */
  dtype?: AutocastDType;
  /**
   * The GradScaler: one to use, options for a new one, or false for none. Default: a new one
   * for float16 (whose gradients underflow without it), none for bfloat16 (float32's range).
   */
  scaler?: GradScaler | GradScalerOptions | false;
}

/** @internal The resolved setting: autocast options and the scaler, if any. */
export interface TrainerAmp {
  autocast: AutocastOptions;
  scaler: GradScaler | null;
  /** Runs `fn` under this autocast. */
  run<T>(fn: () => T): T;
}

/** @internal `options.amp` of the Trainer for batches on `device`; null when off. */
export function resolveTrainerAmp(amp: unknown, device: Device | undefined): TrainerAmp | null {
  if (amp === undefined || amp === false) return null;
  if (amp !== true && (amp === null || typeof amp !== 'object' || Array.isArray(amp)))
    throw new ArgumentError(
      `Expected true, false or { dtype?, scaler? } for amp but received ${describe(amp)}`,
    );
  const o = amp === true ? {} : (amp as TrainerAmpOptions);
  const deviceType = device === undefined || device === 'cpu' ? 'cpu' : 'cuda';
  const options = checkAutocast({ deviceType, dtype: o.dtype ?? defaultAutocastDType[deviceType] });
  let scaler: GradScaler | null;
  if (o.scaler instanceof GradScaler) scaler = o.scaler;
  else if (o.scaler === false) scaler = null;
  else if (o.scaler === undefined)
    scaler = options.dtype === 'float16' ? new GradScaler({ device: deviceType }) : null;
  else scaler = new GradScaler({ device: deviceType, ...o.scaler });
  const ac: AutocastOptions = { deviceType, dtype: options.dtype };
  return { autocast: ac, scaler, run: (fn) => autocast(ac, fn) };
}
