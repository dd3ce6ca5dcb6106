/**
 * What only a machine with a CUDA device can check: moves between devices, mixed-device inputs,
 * pinned memory and non-blocking copies, the allocator's counters, CUDA generators and syncs.
 * Without a device these tests say that they did not run, and why (the reason is printed).
 */
import { describe, expect, it } from 'vitest';

import {
  arange,
  cuda,
  DeviceError,
  eye,
  manualSeed,
  nn,
  optim,
  randn,
  tensor,
  where,
  zeros,
} from '../../lib/index.js';
import { expectClose, toleranceFor } from '../helpers/compare.js';
import { announceSkip, cudaSkip } from '../helpers/device.js';

describe.skipIf(announceSkip(cudaSkip, 'CUDA tests'))('on a CUDA device', () => {
  it("moves tensors: to('cuda'), cuda(), cpu(), with their values", () => {
    const x = randn([3, 4]);
    const g = x.to('cuda');
    expect(g.device).toBe('cuda:0');
    expect(x.cuda().device).toBe('cuda:0');
    expect(g.cpu().device).toBe('cpu');
    expect(g.dataSync()).toEqual(x.dataSync());
    expect(g.toArray()).toEqual(x.toArray());
    expect(g.sum().item()).toBeCloseTo(x.sum().item(), 4);
    expect(g.toString()).toContain("device='cuda:0'");
    const last = `cuda:${cuda.deviceCount() - 1}` as const;
    expect(x.to(last).device).toBe(last);
  });

  it('creation ops make their tensors on the device, with the CPU values', () => {
    expect(zeros([2, 2], { device: 'cuda' }).device).toBe('cuda:0');
    expect(arange(5, { device: 'cuda' }).dataSync()).toEqual(arange(5).dataSync());
    expect(eye(3, undefined, { device: 'cuda' }).dataSync()).toEqual(eye(3).dataSync());
    expect(tensor([1, 2, 3], { device: 'cuda' }).dataSync()).toEqual(new Float32Array([1, 2, 3]));
  });

  it('mixed-device inputs give a DeviceError naming both devices; CPU scalars are fine', () => {
    const c = randn([2, 3]);
    const g = randn([2, 3], { device: 'cuda' });
    expect(() => g.add(c)).toThrow(DeviceError);
    expect(() => g.add(c)).toThrow(/input on cuda:0 and other on cpu/);
    expect(() => nn.functional.linear(g, randn([4, 3]))).toThrow(/cuda:0 and weight on cpu/);
    expect(() => where(c.gt(0), g, g)).toThrow(DeviceError);
    expect(g.add(tensor(2).reshape([])).device).toBe('cuda:0');
    // copies between devices are what copy_ is for
    expect(g.clone().copy_(c).dataSync()).toEqual(c.dataSync());
  });

  it('pins host memory and copies from it without blocking', () => {
    const x = randn([64, 64]);
    const p = x.pinMemory();
    expect(p.isPinned).toBe(true);
    expect(x.isPinned).toBe(false);
    const g = p.to('cuda', { nonBlocking: true });
    cuda.synchronize();
    expect(g.dataSync()).toEqual(x.dataSync());
  });

  it('counts allocator memory and empties its cache', () => {
    cuda.synchronize();
    const before = cuda.memoryAllocated();
    const big = zeros([1024, 1024], { device: 'cuda' });
    expect(cuda.memoryAllocated('cuda:0') - before).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(cuda.memoryReserved()).toBeGreaterThanOrEqual(cuda.memoryAllocated());
    big.dispose();
    cuda.emptyCache();
    // Not exactly `before`: the garbage collector may free earlier tests' tensors meanwhile.
    expect(cuda.memoryAllocated()).toBeLessThanOrEqual(before);
  });

  it('seeds and restores the CUDA generator', () => {
    cuda.manualSeed(11);
    const a = randn([5], { device: 'cuda' }).dataSync();
    cuda.manualSeed(11);
    expect(randn([5], { device: 'cuda' }).dataSync()).toEqual(a);
    const state = cuda.getRngState();
    expect(state.device).toBe('cpu');
    const b = randn([5], { device: 'cuda' }).dataSync();
    cuda.setRngState(state);
    expect(randn([5], { device: 'cuda' }).dataSync()).toEqual(b);
    manualSeed(3); // seeds CUDA too, as torch.manual_seed
    const c = randn([5], { device: 'cuda' }).dataSync();
    manualSeed(3);
    expect(randn([5], { device: 'cuda' }).dataSync()).toEqual(c);
  });

  it('a model and an optimizer step on the device match the CPU (TF32 off)', () => {
    const tol = toleranceFor('float32', 'cuda');
    manualSeed(1);
    const cpu = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }),
      new nn.BatchNorm2d(8),
      new nn.ReLU(),
    );
    manualSeed(1);
    const gpu = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }),
      new nn.BatchNorm2d(8),
      new nn.ReLU(),
    ).to('cuda');
    const x = randn([2, 3, 9, 9]);
    for (const [m, input] of [
      [cpu, x],
      [gpu, x.cuda()],
    ] as const) {
      const opt = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
      for (let i = 0; i < 2; i++) {
        m.forward(input).square().mean().backward();
        opt.step();
        opt.zeroGrad();
      }
    }
    cpu.parameters().forEach((p, i) => expectClose(gpu.parameters()[i]!, p, tol, `param ${i}`));
    cpu.buffers().forEach((b, i) => expectClose(gpu.buffers()[i]!, b, tol, `buffer ${i}`));
  });

  it('cuda.synchronize takes a device, and refuses one that does not exist', () => {
    expect(() => cuda.synchronize('cuda:0')).not.toThrow();
    expect(() => cuda.synchronize(cuda.deviceCount())).toThrow(/Expected a CUDA device index below/);
  });
});
