/** `nn.BatchNorm2d`: affine weight/bias, running statistics and `num_batches_tracked`. */
import { empty, ones, zeros } from '../creation.js';
import { ShapeError } from '../errors.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { checkFinite, checkInt, checkOptions } from '../validate.js';
import { batchNorm } from './functional.js';
import { Module } from './module.js';
import { bool, finite, option } from './options.js';
import { pyBool, pyFloat } from './repr.js';

/** Options of `BatchNorm2d` (PyTorch's `nn.BatchNorm2d` keywords). */
export interface BatchNorm2dOptions {
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages; null gives the cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel `weight` and `bias` (default true). */
  affine?: boolean;
  /** Keep running mean and variance for evaluation (default true); without them, batch statistics are used in eval mode too. */
  trackRunningStats?: boolean;
}

/** Batch normalization over (N, C, H, W) per channel, as `nn.BatchNorm2d`: batch statistics in training mode (updating the running ones), running statistics in eval mode. */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super();
    const o = checkOptions('options', options);
    this.numFeatures = checkInt('numFeatures', numFeatures, 1);
    this.eps = finite(o, 'eps', 1e-5);
    this.momentum = option<number | null>(o, 'momentum', 0.1, (n, v) =>
      v === null ? null : checkFinite(n, v),
    );
    this.affine = bool(o, 'affine', true);
    this.trackRunningStats = bool(o, 'trackRunningStats', true);
    const c = this.numFeatures;
    this.registerParameter('weight', this.affine ? empty([c]) : null);
    this.registerParameter('bias', this.affine ? empty([c]) : null);
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([c]) : null);
    this.registerBuffer('running_var', track ? ones([c]) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int64' }) : null);
    this.resetParameters();
  }

  /** Per-channel scale (gamma), or null when not `affine`. */
  get weight(): Tensor | null {
    return this.parameterOrNull('weight');
  }
  /** Per-channel shift (beta), or null when not `affine`. */
  get bias(): Tensor | null {
    return this.parameterOrNull('bias');
  }
  /** The `running_mean` buffer, or null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.bufferOrNull('running_mean');
  }
  /** The `running_var` buffer, or null without `trackRunningStats`. */
  get runningVar(): Tensor | null {
    return this.bufferOrNull('running_var');
  }
  /** The `num_batches_tracked` buffer (int64 scalar), or null without `trackRunningStats`. */
  get numBatchesTracked(): Tensor | null {
    return this.bufferOrNull('num_batches_tracked');
  }

  /** Resets the running statistics: mean 0, variance 1, `num_batches_tracked` 0, as PyTorch's `reset_running_stats`. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Resets the running statistics and sets `weight` to 1 and `bias` to 0, as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  override optionalStateKeys(): readonly string[] {
    return ['num_batches_tracked'];
  }

  /** As PyTorch's `_BatchNorm.forward`: batch statistics in training (or without running stats). */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4)
      throw new ShapeError(`Expected a 4D input (N, C, H, W) for BatchNorm2d but received ${x.ndim}D`);
    let factor = this.momentum ?? 0;
    const counter = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && counter !== null) {
      noGrad(() => counter.add_(1));
      if (this.momentum === null) factor = 1 / counter.item();
    }
    const runningMean = this.runningMean;
    const runningVar = this.runningVar;
    const batchStats = this.training || (runningMean === null && runningVar === null);
    // In training without tracking, the buffers (if any) must not be updated.
    const useBuffers = !this.training || this.trackRunningStats;
    return batchNorm(x, useBuffers ? runningMean : null, useBuffers ? runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: batchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
