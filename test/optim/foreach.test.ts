/**
 * The optimizers update whole parameter groups with multi-tensor (foreach) ops, as torch.optim
 * does by default on CUDA: a captured step has the same handful of optimizer calls whether the
 * model has 3 parameters or 60 (the parity with torch.optim is optim.reference.test.ts').
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, optim, randn, type Tensor } from '../../lib/index.js';
import { capture } from '../../lib/capture.js';

type Make = (ps: Tensor[]) => optim.Optimizer<{ lr: number }>;
const makers: Record<string, Make> = {
  sgd: (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  adamw: (ps) => new optim.AdamW(ps, { amsgrad: true }),
  adam: (ps) => new optim.Adam(ps, { weightDecay: 1e-4 }),
  rmsprop: (ps) => new optim.RMSprop(ps, { momentum: 0.9, centered: true }),
  lars: (ps) => new optim.LARS(ps, { lr: 0.1, weightDecay: 1e-4 }),
};

/** The compute ops a captured steady-state step of `make` records over `n` parameters. */
function capturedOps(make: Make, n: number): string[] {
  const ps = Array.from({ length: n }, (_, i) => randn([3, i % 2 === 0 ? 4 : 1], { requiresGrad: true }));
  const opt = make(ps);
  const setGrads = () => ps.forEach((p) => (p.grad = randn(p.shape as number[])));
  setGrads();
  opt.step(); // creates the state: the step after it is the one that repeats
  setGrads();
  const { program } = capture(
    [],
    () => opt.captureStep(0),
    () => [],
    { max: 16 * n, used: (r) => r.numbers },
  );
  // reading each gradient (p.grad) is a step without a kernel; the rest are the update's calls
  const steps = program.steps.filter((s) => s !== 'grad' && s !== 'setGradEnabled');
  program.dispose();
  return steps;
}

describe('foreach optimizer steps', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: the same few native calls for 4 parameters as for 64`, () => {
      const few = capturedOps(make, 4);
      const many = capturedOps(make, 64);
      expect(many).toEqual(few);
      expect(few.length).toBeLessThanOrEqual(16);
      expect(few.every((s) => s.startsWith('foreach') || name === 'lars')).toBe(true);
    });
  }

  it('a foreach list of the wrong length is a clear error', async () => {
    const { native } = await import('../../lib/binding.js');
    const a = [randn([2]), randn([2])];
    expect(() =>
      native.foreachAdd_(
        a.map((t) => t._h),
        [a[0]!._h],
        1,
      ),
    ).toThrow(ArgumentError);
    expect(() =>
      native.foreachAdd_(
        a.map((t) => t._h),
        [a[0]!._h],
        1,
      ),
    ).toThrow('Expected 2 tensors for other but received 1');
  });
});
