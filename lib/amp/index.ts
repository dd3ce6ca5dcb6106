/**
 * Mixed precision, as `torch.amp`: `autocast` and `GradScaler`.
 *
 * @module
 */
export { autocast, isAutocastEnabled, defaultAutocastDType } from './autocast.js';
export type { AutocastOptions, AutocastDeviceType, AutocastDType } from './autocast.js';
export { GradScaler } from './grad_scaler.js';
export type { GradScalerOptions, GradScalerStateDict } from './grad_scaler.js';
export type { TrainerAmpOptions } from './trainer_amp.js';
