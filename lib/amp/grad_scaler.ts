/**
 * `GradScaler`, as `torch.amp.GradScaler`: multiplies the loss by a scale so that float16
 * gradients do not underflow, unscales the gradients before the optimizer sees them, skips
 * the step when one of them is inf or NaN, and adapts the scale (backoff on overflow, growth
 * after `growthInterval` good steps). Its kernels are libtorch's where the libtorch found has
 * them for the device, else the same arithmetic in tensor ops (native/ops/amp.cc).
 */
import { native } from '../binding.js';
import { full, zeros } from '../creation.js';
import { describe } from '../describe.js';
import type { Device } from '../dtype.js';
import { ArgumentError, DTypeError, DeviceError } from '../errors.js';
import type { Optimizer } from '../optim/optimizer.js';
import { noGrad, tidy } from '../runtime.js';
import { untrack } from '../scope.js';
import { Tensor, handleOf } from '../tensor.js';
import { version } from '../version.js';
import { checkBool, checkInt, checkOptions, fail } from '../validate.js';
import type { AutocastDeviceType } from './autocast.js';
import { parseGradScalerState, type GradScalerStateDict } from './grad_scaler_state.js';

export type { GradScalerStateDict } from './grad_scaler_state.js';

/** GradScaler's settings, as `torch.amp.GradScaler`'s arguments. */
export interface GradScalerOptions {
  /** The device type it scales for (default 'cuda'; 'cpu' for CPU float16 training or tests). */
  device?: AutocastDeviceType;
  /** The first scale (default 2**16). */
  initScale?: number;
  /** Factor the scale grows by after `growthInterval` steps without inf/NaN (default 2, > 1). */
  growthFactor?: number;
  /** Factor the scale shrinks by after a step with inf/NaN (default 0.5, < 1). */
  backoffFactor?: number;
  /** Steps without inf/NaN between growths (default 2000). */
  growthInterval?: number;
  /** false makes every method a pass-through: scale returns the loss, step just steps (default true). */
  enabled?: boolean;
}

type Stage = 'unscaled' | 'stepped';
interface OptimizerRecord {
  stage: Stage;
  foundInf: Tensor[]; // one per device
}

function positive(name: string, value: unknown, check: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) fail(name, expected, value);
  return value;
}

/** Scales losses and unscales gradients for mixed-precision training, as `torch.amp.GradScaler`. */
export class GradScaler {
  #scale: Tensor | null = null; // float32 [1], on the first scaled loss's device
  #growthTracker: Tensor | null = null; // int32 [1]
  #initScale: number;
  #growthFactor: number;
  #backoffFactor: number;
  #growthInterval: number;
  #initGrowthTracker = 0;
  readonly #enabled: boolean;
  readonly #perOptimizer = new Map<Optimizer<{ lr: number }>, OptimizerRecord>();

  constructor(options: GradScalerOptions = {}) {
    const o = checkOptions('options', options);
    const device = o['device'] ?? 'cuda';
    if (device !== 'cpu' && device !== 'cuda')
      throw new DeviceError(`Expected 'cpu' or 'cuda' for device but received ${describe(device)}`);
    this.#enabled = o['enabled'] === undefined ? true : checkBool('enabled', o['enabled']);
    if (this.#enabled && device === 'cuda' && !native.cudaIsAvailable())
      throw new DeviceError(
        `GradScaler({ device: 'cuda' }) needs a CUDA device but no CUDA device is available (libtorch ${version.libtorch}); ` +
          "pass enabled: false, or device: 'cpu'",
      );
    this.#initScale = positive('initScale', o['initScale'] ?? 2 ** 16, (v) => v > 0, 'a positive number');
    this.#growthFactor = positive('growthFactor', o['growthFactor'] ?? 2, (v) => v > 1, 'a number > 1');
    this.#backoffFactor = positive(
      'backoffFactor',
      o['backoffFactor'] ?? 0.5,
      (v) => v > 0 && v < 1,
      'a number between 0 and 1',
    );
    this.#growthInterval = checkInt('growthInterval', o['growthInterval'] ?? 2000, 1);
  }

  /** Whether it scales at all (`enabled` option). */
  isEnabled(): boolean {
    return this.#enabled;
  }

  #lazyInit(device: Device): { scale: Tensor; tracker: Tensor } {
    // The scaler's state outlives a tidy() around the training step that first scales a loss.
    if (this.#scale === null)
      untrack((this.#scale = full([1], this.#initScale, { dtype: 'float32', device })));
    if (this.#growthTracker === null)
      untrack((this.#growthTracker = full([1], this.#initGrowthTracker, { dtype: 'int32', device })));
    return { scale: this.#scale, tracker: this.#growthTracker };
  }

  /** `loss * scale` (a new tensor: call `backward()` on it), or `loss` itself when disabled. */
  scale(loss: Tensor): Tensor {
    handleOf(loss, 'loss');
    if (!this.#enabled) return loss;
    const { scale } = this.#lazyInit(loss.device);
    return tidy(() => loss.mul(scale.to(loss.device)));
  }

  #record(optimizer: Optimizer<{ lr: number }>): OptimizerRecord | undefined {
    return this.#perOptimizer.get(optimizer);
  }

  /**
   * Divides the gradients of `optimizer`'s parameters by the scale, in place, and notes whether
   * any is inf or NaN; call it before clipping gradients. `step` calls it when you did not.
   */
  unscale_(optimizer: Optimizer<{ lr: number }>): void {
    if (!this.#enabled) return;
    const record = this.#record(optimizer);
    if (record?.stage === 'unscaled')
      throw new ArgumentError('unscale_() has already been called on this optimizer since the last update()');
    if (record?.stage === 'stepped') throw new ArgumentError('unscale_() is being called after step()');
    if (this.#scale === null)
      throw new ArgumentError('Expected scale(loss) to have been called before unscale_() but it was not');
    const scale = this.#scale;
    // tidy frees the gradient handles (the gradients stay on the parameters) and temporaries.
    const foundInf = noGrad(() =>
      tidy(() => {
        const inv = scale.double().reciprocal().float(); // as PyTorch: 1/scale in float64, then float32
        // libtorch's kernel takes gradients of one device and dtype at a time.
        const groups = new Map<string, Tensor[]>();
        for (const group of optimizer.paramGroups) {
          for (const p of group.params) {
            const g = p.grad;
            if (g === null) continue;
            if (g.dtype === 'float16')
              throw new DTypeError(
                'Attempting to unscale float16 gradients: keep the parameters in float32 (autocast casts them per op)',
              );
            const key = `${g.device}/${g.dtype}`;
            groups.set(key, [...(groups.get(key) ?? []), g]);
          }
        }
        const perDevice = new Map<string, Tensor>();
        for (const grads of groups.values()) {
          const device = grads[0]!.device;
          let found = perDevice.get(device);
          if (found === undefined) perDevice.set(device, (found = zeros([1], { dtype: 'float32', device })));
          native.ampUnscale_(
            grads.map((g) => g._h),
            found._h,
            inv.to(device)._h,
          );
        }
        return [...perDevice.values()];
      }),
    );
    this.#perOptimizer.set(optimizer, { stage: 'unscaled', foundInf });
  }

  /**
   * Unscales (unless `unscale_` ran) and steps `optimizer` unless a gradient was inf or NaN.
   * Returns whether it stepped. Disabled, it just steps.
   */
  step(optimizer: Optimizer<{ lr: number }>): boolean {
    if (!this.#enabled) {
      optimizer.step();
      return true;
    }
    if (this.#record(optimizer)?.stage === 'stepped')
      throw new ArgumentError('step() has already been called since the last update()');
    if (this.#record(optimizer) === undefined) this.unscale_(optimizer);
    const record = this.#record(optimizer)!;
    const found = record.foundInf.reduce((sum, t) => sum + t.item(), 0);
    record.stage = 'stepped';
    if (found !== 0) return false;
    optimizer.step();
    return true;
  }

  /**
   * Updates the scale from the steps since the last update: times `backoffFactor` if any
   * gradient was inf or NaN, times `growthFactor` after `growthInterval` clean steps. With
   * `newScale`, sets the scale to it instead.
   */
  update(newScale?: number | Tensor): void {
    if (!this.#enabled) return;
    if (this.#scale === null || this.#growthTracker === null)
      throw new ArgumentError('Expected scale(loss) to have been called before update() but it was not');
    const scale = this.#scale;
    const tracker = this.#growthTracker;
    noGrad(() => {
      if (newScale !== undefined) {
        if (typeof newScale === 'number')
          scale.fill_(positive('newScale', newScale, (v) => v > 0, 'a positive number'));
        else if (newScale instanceof Tensor && newScale.numel() === 1 && newScale.dtype === 'float32')
          scale.copy_(newScale.reshape([1]));
        else fail('newScale', 'a positive number or a one-element float32 tensor', newScale);
      } else {
        const found = [...this.#perOptimizer.values()].flatMap((r) => r.foundInf);
        if (found.length === 0) throw new ArgumentError('No inf checks were recorded prior to update()');
        tidy(() => {
          const combined = zeros([1], { dtype: 'float32', device: scale.device });
          for (const f of found) combined.add_(f.to(scale.device));
          native.ampUpdateScale_(
            scale._h,
            tracker._h,
            combined._h,
            this.#growthFactor,
            this.#backoffFactor,
            this.#growthInterval,
          );
        });
      }
    });
    this.#resetSteps();
  }

  #resetSteps(): void {
    for (const r of this.#perOptimizer.values()) for (const t of r.foundInf) t.dispose();
    this.#perOptimizer.clear();
  }

  /** The current scale (1 when disabled), as `get_scale()`; reads it back from the device. */
  getScale(): number {
    if (!this.#enabled) return 1;
    return this.#scale === null ? this.#initScale : this.#scale.item();
  }

  /** Steps without inf/NaN since the last growth or backoff. */
  getGrowthTracker(): number {
    return this.#growthTracker === null ? this.#initGrowthTracker : this.#growthTracker.item();
  }

  /** The growth factor. */
  getGrowthFactor(): number {
    return this.#growthFactor;
  }

  /** Sets the growth factor (> 1). */
  setGrowthFactor(factor: number): void {
    this.#growthFactor = positive('factor', factor, (v) => v > 1, 'a number > 1');
  }

  /** The backoff factor. */
  getBackoffFactor(): number {
    return this.#backoffFactor;
  }

  /** Sets the backoff factor (between 0 and 1). */
  setBackoffFactor(factor: number): void {
    this.#backoffFactor = positive('factor', factor, (v) => v > 0 && v < 1, 'a number between 0 and 1');
  }

  /** The growth interval. */
  getGrowthInterval(): number {
    return this.#growthInterval;
  }

  /** Sets the growth interval (a positive integer). */
  setGrowthInterval(interval: number): void {
    this.#growthInterval = checkInt('interval', interval, 1);
  }

  /** Scale, factors, interval and growth tracker, with PyTorch's keys; `{}` when disabled. */
  stateDict(): GradScalerStateDict {
    if (!this.#enabled) return {};
    return {
      scale: this.getScale(),
      growth_factor: this.#growthFactor,
      backoff_factor: this.#backoffFactor,
      growth_interval: this.#growthInterval,
      _growth_tracker: this.getGrowthTracker(),
    };
  }

  /** Restores what `stateDict()` returned (a disabled scaler ignores it, as PyTorch's). */
  loadStateDict(sd: GradScalerStateDict): void {
    if (!this.#enabled) return;
    const { scale, growth, backoff, interval, tracker } = parseGradScalerState(sd);
    this.#initScale = scale;
    this.#growthFactor = growth;
    this.#backoffFactor = backoff;
    this.#growthInterval = interval;
    this.#initGrowthTracker = tracker;
    this.#scale?.fill_(scale);
    this.#growthTracker?.fill_(tracker);
  }

  /** Frees the scale and growth tracker tensors (a later scale() creates them again). */
  dispose(): void {
    this.#resetSteps();
    this.#scale?.dispose();
    this.#growthTracker?.dispose();
    this.#scale = null;
    this.#growthTracker = null;
  }
}
