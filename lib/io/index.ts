/** Weights in and out. */
export { load, save } from './weights.js';
export type { LoadOptions, StateDict } from './weights.js';
export { readTrainCheckpointInfo } from './train_args.js';
export type { TrainCheckpointInfo } from './train_args.js';
