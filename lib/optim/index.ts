/**
 * Optimizers and learning-rate schedules, as `torch.optim`.
 *
 * @module
 */
export { Optimizer } from './optimizer.js';
export type { ParamGroup, ParamsArg, ParamState, OptimizerStateDict, UpdateBatch } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export { Adam } from './adam.js';
export type { AdamOptions } from './adam_base.js';
export { AdamBase } from './adam_base.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { LARS } from './lars.js';
export type { LARSOptions } from './lars.js';
export * as lrScheduler from './schedulers.js';
export { clipGradNorm_ } from './clip_grad.js';
