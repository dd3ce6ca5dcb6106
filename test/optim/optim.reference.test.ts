import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { optim, tensor, type Tensor } from '../../lib/index.js';
import tolerances from '../tolerances.json' with { type: 'json' };

const seed = Number(process.env['REF_SEED'] ?? Math.floor(Math.random() * 1e6));
console.log(`optim reference seed ${seed} (set REF_SEED to reproduce)`);
const ref = JSON.parse(
  execFileSync('/usr/bin/python3', ['scripts/gen_optim_reference.py', String(seed)], { encoding: 'utf8' }),
) as {
  shapes: number[][];
  params0: number[][];
  grads: number[][][];
  cases: Record<string, number[][][]>;
  schedules: Record<string, Array<[number, number]>>;
};

type Make = (ps: Tensor[]) => optim.Optimizer<{ lr: number }>;
const makers: Record<string, Make> = {
  sgd_nesterov_wd: (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }),
  sgd_dampening: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 1e-2 }),
  sgd_plain: (ps) => new optim.SGD(ps, { lr: 0.2 }),
  sgd_groups: (ps) =>
    new optim.SGD([{ params: ps.slice(0, 2), weightDecay: 0 }, { params: ps.slice(2) }], {
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-2,
    }),
  adamw: (ps) => new optim.AdamW(ps, { lr: 1e-2, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.05 }),
  adamw_amsgrad: (ps) => new optim.AdamW(ps, { lr: 3e-3, amsgrad: true }),
};

function relErr(a: ArrayLike<number>, e: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < e.length; i++) {
    num += (Number(a[i]) - e[i]!) ** 2;
    den += e[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

describe.each(['float64', 'float32'] as const)('optimizers match torch.optim (%s)', (dtype) => {
  const tol = tolerances[dtype].rel;
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: parameters after each of ${ref.grads.length} steps`, () => {
      const params = ref.params0.map((v, i) =>
        tensor(v, { shape: ref.shapes[i]!, dtype, requiresGrad: true }),
      );
      const opt = make(params);
      ref.cases[name]!.forEach((expected, step) => {
        params.forEach((p, i) => (p.grad = tensor(ref.grads[step]![i]!, { shape: ref.shapes[i]!, dtype })));
        opt.step();
        params.forEach((p, i) => expect(relErr(p.dataSync(), expected[i]!)).toBeLessThan(tol));
      });
    });
  }

  it('resumes from a state dict with the same trajectory', () => {
    const run = (ps: Tensor[], opt: optim.Optimizer<{ lr: number }>, from: number, to: number) => {
      for (let s = from; s < to; s++) {
        ps.forEach((p, i) => (p.grad = tensor(ref.grads[s]![i]!, { shape: ref.shapes[i]!, dtype })));
        opt.step();
      }
    };
    const fresh = () =>
      ref.params0.map((v, i) => tensor(v, { shape: ref.shapes[i]!, dtype, requiresGrad: true }));
    const a = fresh();
    const optA = makers['adamw']!(a);
    run(a, optA, 0, 3);
    const b = a.map((p) => p.detach().clone().requiresGrad_());
    const optB = makers['adamw']!(b);
    optB.loadStateDict(optA.stateDict());
    run(a, optA, 3, 6);
    run(b, optB, 3, 6);
    a.forEach((p, i) => expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(p.dataSync())));
  });
});

describe('learning-rate schedules match torch.optim.lr_scheduler', () => {
  const S = optim.lrScheduler;
  type Sched = { step(): void };
  const schedules: Record<string, (o: optim.SGD) => Sched> = {
    step: (o) => new S.StepLR(o, { stepSize: 4, gamma: 0.5 }),
    multistep: (o) => new S.MultiStepLR(o, { milestones: [3, 7, 15], gamma: 0.2 }),
    cosine: (o) => new S.CosineAnnealingLR(o, { tMax: 20, etaMin: 0.01 }),
    linear: (o) => new S.LinearLR(o, { startFactor: 0.1, totalIters: 6 }),
    onecycle: (o) => new S.OneCycleLR(o, { maxLr: 0.8, totalSteps: 25 }),
    onecycle_3phase_linear: (o) =>
      new S.OneCycleLR(o, { maxLr: 0.8, totalSteps: 25, threePhase: true, annealStrategy: 'linear' }),
    sequential: (o) =>
      new S.SequentialLR(o, {
        schedulers: [
          new S.LinearLR(o, { startFactor: 0.2, totalIters: 5 }),
          new S.CosineAnnealingLR(o, { tMax: 15 }),
        ],
        milestones: [5],
      }),
  };
  for (const [name, make] of Object.entries(schedules)) {
    it(name, () => {
      const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 0.4, momentum: 0.9 });
      const sched = make(opt);
      ref.schedules[name]!.forEach(([lr, momentum], step) => {
        if (step > 0) sched.step();
        expect(opt.paramGroups[0]!.options.lr).toBeCloseTo(lr, 12);
        expect(opt.paramGroups[0]!.options.momentum).toBeCloseTo(momentum, 12);
      });
    });
  }
});
