/**
 * GradScaler on CPU. The schedule (scale, growth tracker, skipped steps and the weights after
 * each SGD step) is checked against scripts/gen_amp_reference.py. torch 1.13 has no CPU kernels
 * for _amp_foreach_non_finite_check_and_unscale_ / _amp_update_scale_ and its GradScaler
 * disables itself without CUDA, so that script re-implements those two kernels from
 * PyTorch's CUDA source; forward, backward and SGD there are PyTorch's own. Which path the
 * library ran (libtorch's kernels or its tensor-op fallback) is printed.
 */
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  DeviceError,
  DTypeError,
  GradScaler,
  StateDictError,
  cuda,
  optim,
  tensor,
  tidy,
  zeros,
  type Tensor,
} from '../../lib/index.js';
import { native } from '../../lib/binding.js';
import { expectClose, TOLERANCES } from '../helpers/compare.js';
import { loadReference, type Json } from '../helpers/reference.js';

const ref = await loadReference('amp');
console.log(
  `[grad_scaler] CPU kernels: ${native.ampHasNativeKernels(zeros([1])._h) ? "libtorch's" : 'tensor-op fallback (this libtorch has none)'}`,
);

/** One step as PyTorch's recipe: zero, scale(loss).backward(), step, update. */
function trainStep(scaler: GradScaler, opt: optim.SGD, w: Tensor, coeff: Tensor): boolean {
  opt.zeroGrad();
  const loss = w.mul(coeff).sum();
  const scaled = scaler.scale(loss);
  scaled.backward();
  const stepped = scaler.step(opt);
  scaler.update();
  loss.dispose();
  scaled.dispose();
  return stepped;
}

describe('GradScaler', () => {
  it("follows PyTorch's schedule: scaling, unscaling, inf/NaN skips, growth and backoff", () => {
    const { options, steps } = ref.meta.scaler as Json;
    const w = ref.tensor('scaler.w0', { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: options.lr });
    const scaler = new GradScaler({
      device: 'cpu',
      initScale: options.initScale,
      growthFactor: options.growthFactor,
      backoffFactor: options.backoffFactor,
      growthInterval: options.growthInterval,
    });
    (steps as Json[]).forEach((expected, i) => {
      const coeff = ref.tensor(`scaler.coeff.${i}`);
      const stepped = trainStep(scaler, opt, w, coeff);
      expect(
        { stepped, scale: scaler.getScale(), growthTracker: scaler.getGrowthTracker() },
        `step ${i}`,
      ).toEqual(expected);
      const after = ref.tensor(`scaler.w.${i}`);
      expectClose(w.detach(), after, TOLERANCES.float32, `w after step ${i}`);
    });
    expect((steps as Json[]).some((s) => !s.stepped)).toBe(true);
  });

  it('unscale_ divides the gradients by the scale and flags inf and NaN', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    const scaler = new GradScaler({ device: 'cpu', initScale: 8 });
    const scaled = scaler.scale(w.mul(tensor([1, 0.5, -2])).sum());
    expect(scaled.item()).toBe(8 * (1 + 1 - 6));
    scaled.backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([8, 4, -16]);
    scaler.unscale_(opt);
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 0.5, -2]);
    expect(() => scaler.unscale_(opt)).toThrow('unscale_() has already been called');
    expect(scaler.step(opt)).toBe(true); // unscaled once: step uses those gradients
    expect(Array.from(w.dataSync())).toEqual([0, 1.5, 5]);
    expect(() => scaler.step(opt)).toThrow('step() has already been called');
    scaler.update();
    expect(scaler.getScale()).toBe(8);
  });

  it('skips the step on NaN, backs off, and grows after growthInterval clean steps; never past float32', () => {
    const w = tensor([1, 1], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.5 });
    const scaler = new GradScaler({ device: 'cpu', initScale: 2 ** 126, growthInterval: 2 });
    expect(trainStep(scaler, opt, w, tensor([NaN, 1]))).toBe(false);
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    expect(scaler.getScale()).toBe(2 ** 125);
    expect(trainStep(scaler, opt, w, tensor([1, 1]))).toBe(true);
    expect(trainStep(scaler, opt, w, tensor([1, 1]))).toBe(true);
    expect([scaler.getScale(), scaler.getGrowthTracker()]).toEqual([2 ** 126, 0]);
    trainStep(scaler, opt, w, tensor([1, 1]));
    trainStep(scaler, opt, w, tensor([1, 1]));
    expect(scaler.getScale()).toBe(2 ** 127); // 2**128 would be inf in float32
    trainStep(scaler, opt, w, tensor([1e-30, 1e-30]));
    trainStep(scaler, opt, w, tensor([1e-30, 1e-30]));
    expect([scaler.getScale(), scaler.getGrowthTracker()]).toEqual([2 ** 127, 0]);
  });

  it('its scale survives a tidy() around the step that first scales a loss', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    const scaler = new GradScaler({ device: 'cpu', initScale: 4 });
    tidy(() => scaler.scale(w.sum()).backward());
    expect(scaler.step(opt)).toBe(true);
    scaler.update();
    expect(scaler.getScale()).toBe(4);
    expect(Array.from(w.dataSync())).toEqual([0, 1]);
  });

  it('update(newScale) sets the scale; update() without a step is an error', () => {
    const scaler = new GradScaler({ device: 'cpu' });
    const loss = scaler.scale(tensor(1));
    expect(() => scaler.update()).toThrow('No inf checks were recorded prior to update()');
    scaler.update(1024);
    expect(scaler.getScale()).toBe(1024);
    scaler.update(tensor([3]));
    expect(scaler.getScale()).toBe(3);
    expect(() => scaler.update(-1)).toThrow(ArgumentError);
    loss.dispose();
  });

  it('state dict round trip, with PyTorch’s keys', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const a = new GradScaler({
      device: 'cpu',
      initScale: 16,
      growthFactor: 3,
      backoffFactor: 0.25,
      growthInterval: 3,
    });
    trainStep(a, opt, w, tensor([1, 1]));
    trainStep(a, opt, w, tensor([Infinity, 1]));
    trainStep(a, opt, w, tensor([1, 1]));
    const sd = a.stateDict();
    expect(sd).toEqual({
      scale: 4,
      growth_factor: 3,
      backoff_factor: 0.25,
      growth_interval: 3,
      _growth_tracker: 1,
    });
    const b = new GradScaler({ device: 'cpu' });
    b.loadStateDict(JSON.parse(JSON.stringify(sd)));
    expect(b.stateDict()).toEqual(sd);
    // both continue identically
    for (const s of [a, b]) {
      trainStep(s, opt, w, tensor([1, 1]));
      trainStep(s, opt, w, tensor([1, 1]));
    }
    expect(b.stateDict()).toEqual(a.stateDict());
    expect(a.getScale()).toBe(12);
    expect(() => b.loadStateDict({})).toThrow(StateDictError);
    expect(() => b.loadStateDict({ ...sd, growth_factor: 0.5 })).toThrow(/growth_factor/);
  });

  it('disabled: a pass-through that steps every time and saves {}', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    const scaler = new GradScaler({ enabled: false });
    const loss = w.sum();
    expect(scaler.scale(loss)).toBe(loss);
    loss.backward();
    expect(scaler.step(opt)).toBe(true);
    scaler.update();
    expect(Array.from(w.dataSync())).toEqual([0, 1]);
    expect(scaler.getScale()).toBe(1);
    expect(scaler.stateDict()).toEqual({});
  });

  it('bad options and float16 gradients: clear errors', () => {
    expect(() => new GradScaler({ device: 'cpu', growthFactor: 1 })).toThrow(/growthFactor/);
    expect(() => new GradScaler({ device: 'cpu', backoffFactor: 1 })).toThrow(/backoffFactor/);
    expect(() => new GradScaler({ device: 'cpu', growthInterval: 0 })).toThrow(/growthInterval/);
    expect(() => new GradScaler({ device: 'cpu', initScale: -1 })).toThrow(/initScale/);
    expect(() => new GradScaler({ device: 'tpu' as 'cpu' })).toThrow(DeviceError);
    if (!cuda.isAvailable()) expect(() => new GradScaler()).toThrow(/no CUDA device is available/);
    const w = tensor([1, 2], { dtype: 'float16', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    const scaler = new GradScaler({ device: 'cpu' });
    scaler.scale(w.float().sum()).backward();
    expect(() => scaler.unscale_(opt)).toThrow(DTypeError);
  });
});
