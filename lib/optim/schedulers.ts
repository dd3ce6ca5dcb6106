/**
 * `optim.lrScheduler`: every schedule in one namespace.
 *
 * @module
 */
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ConstantLR, SequentialLR,
} from './lr_scheduler.js'; // prettier-ignore
export { OneCycleLR } from './one_cycle.js';
export type { OneCycleOptions } from './one_cycle.js';
