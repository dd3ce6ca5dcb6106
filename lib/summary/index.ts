/**
 * `model.summary(inputShape)` on every Module (added to Module.prototype, as the tensor methods
 * are added to Tensor's, so that module.ts stays free of the summary's imports).
 *
 * @module
 */
import { Module } from '../nn/module.js';
import { type ModelSummary, summarize } from './summary.js';

export { ModelSummary, summarize } from './summary.js';
export type { LayerRow } from './summary.js';
export type { BottleneckSaving } from './bottleneck.js';
export type { FormatOptions } from './format.js';

declare module '../nn/module.js' {
  interface Module {
    /**
     * A layer-by-layer table as torchinfo prints it (output shape, parameters, multiply-adds,
     * totals) from one forward pass of zeros of `inputShape` (N, C, H, W) in eval mode; print
     * it with `String(summary)` or `summary.format({ depth })`.
     */
    summary(inputShape: readonly number[]): ModelSummary;
  }
}

Module.prototype.summary = function summary(this: Module, inputShape: readonly number[]): ModelSummary {
  return summarize(this, inputShape);
};
