/** Weights in and out. */
export { load, save } from './weights.js';
export type { LoadOptions, StateDict } from './weights.js';
