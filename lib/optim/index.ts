/**
 * Optimizers and learning-rate schedules, as `torch.optim`.
 *
 * @module
 */
export { Optimizer } from './optimizer.js';
export type { ParamGroup, ParamsArg, ParamState, OptimizerStateDict } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export * as lrScheduler from './schedulers.js';
