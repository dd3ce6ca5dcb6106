/**
 * torch.optim against the library, given the same fixed gradients (scripts/gen_optim_reference.py):
 * every step's update p_t - p_(t-1), element by element, against PyTorch's run in the same dtype
 * (an error of one step is lost in the size of the parameters, so the parameters are not what is
 * compared); a resume through a checkpoint file that must carry SGD's momentum buffer and AdamW's
 * moments, amsgrad's max_exp_avg_sq included; and the learning-rate schedules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { loadCheckpoint, nn, optim, saveCheckpoint, tensor, Tensor } from '../../lib/index.js';
import { expectClose, report, TOLERANCES, toleranceFor } from '../helpers/compare.js';
import { loadReference } from '../helpers/reference.js';

type DType = 'float32' | 'float64';
/** Per step, per parameter: the flattened update p_t - p_(t-1), as float64 numbers. */
type Updates = number[][][];

const ref = await loadReference('optim');
const meta = ref.meta as {
  shapes: number[][];
  resumeAt: number;
  params0: number[][];
  grads: number[][][];
  cases: Record<string, Record<DType, Updates>>;
  resumed: Record<string, Record<DType, Updates>>;
  schedules: Record<string, Array<[number, number]>>;
  /** Per case, the [step, parameter] pairs that have no gradient (their step counts lag). */
  skips: Record<string, Array<[number, number]>>;
};
const STEPS = meta.grads.length;
const dir = mkdtempSync(join(tmpdir(), 'rn-optim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  adam: (ps) => new optim.Adam(ps, { lr: 1e-2, betas: [0.85, 0.99], eps: 1e-7 }),
  adam_wd_amsgrad: (ps) => new optim.Adam(ps, { lr: 5e-3, weightDecay: 0.1, amsgrad: true }),
  adam_skips: (ps) => new optim.Adam(ps, { lr: 1e-2 }),
  rmsprop: (ps) => new optim.RMSprop(ps, { lr: 1e-2 }),
  rmsprop_centered_momentum: (ps) =>
    new optim.RMSprop(ps, {
      lr: 3e-3,
      alpha: 0.9,
      eps: 1e-6,
      weightDecay: 1e-2,
      momentum: 0.8,
      centered: true,
    }),
  lars: (ps) => new optim.LARS(ps, { lr: 0.2, weightDecay: 1e-2, momentum: 0.9, eta: 0.02 }),
};
/** The state a resume must carry, per resumed optimizer (besides AdamW's step count). */
const RESUME_STATE: Record<string, string[]> = {
  sgd_dampening: ['momentum_buffer'],
  adamw: ['exp_avg', 'exp_avg_sq'],
  adamw_amsgrad: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  adam_wd_amsgrad: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  rmsprop_centered_momentum: ['square_avg', 'momentum_buffer', 'grad_avg'],
  lars: ['mu'],
};

/** The three parameters as a module, so a checkpoint can hold them. */
class Params extends nn.Module {
  readonly ps: Tensor[];
  constructor(dtype: DType) {
    super();
    this.ps = meta.params0.map((v, i) =>
      this.registerParameter(`p${i}`, tensor(v, { shape: meta.shapes[i]!, dtype, requiresGrad: true })),
    );
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Runs steps [from, to) and checks each step's update against `expected`. */
function runSteps(
  ps: Tensor[],
  opt: optim.Optimizer<{ lr: number }>,
  expected: Updates,
  dtype: DType,
  what: string,
  from: number,
  to: number,
): void {
  for (let s = from; s < to; s++) {
    const before = ps.map((p) => Float64Array.from(p.dataSync() as Float32Array | Float64Array));
    const skipped = (i: number): boolean =>
      (meta.skips[what.split(' ')[0]!] ?? []).some(([step, param]) => step === s && param === i);
    ps.forEach(
      (p, i) => (p.grad = skipped(i) ? null : tensor(meta.grads[s]![i]!, { shape: meta.shapes[i]!, dtype })),
    );
    opt.step();
    ps.forEach((p, i) => {
      const label = `${what} ${dtype} step ${s}: update of param ${i} (REF_SEED=${ref.seed})`;
      expect(p.dtype, label).toBe(dtype);
      const after = p.dataSync() as Float32Array | Float64Array;
      const update = Float64Array.from(after, (v, k) => v - before[i]![k]!);
      const shape = meta.shapes[i]!;
      const ours = tensor(update, { shape });
      const theirs = tensor(Float64Array.from(expected[s]![i]!), { shape });
      expectClose(ours, theirs, toleranceFor(dtype), label, `optim updates ${dtype}`);
      ours.dispose();
      theirs.dispose();
    });
  }
}

describe.each(['float64', 'float32'] as const)('optimizers match torch.optim (%s)', (dtype) => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: the update of each of ${STEPS} steps`, () => {
      const model = new Params(dtype);
      runSteps(model.ps, make(model.ps), meta.cases[name]![dtype], dtype, name, 0, STEPS);
    });
  }

  for (const [name, keys] of Object.entries(RESUME_STATE)) {
    it(`${name}: resumes from a checkpoint file after ${meta.resumeAt} steps with ${keys.join(', ')}`, async () => {
      const expected = meta.resumed[name]![dtype];
      const a = new Params(dtype);
      const optA = makers[name]!(a.ps);
      runSteps(a.ps, optA, expected, dtype, `${name} before the save`, 0, meta.resumeAt);
      const file = join(dir, `${name}-${dtype}.safetensors`);
      await saveCheckpoint(file, a, optA, { epoch: 0, batch: meta.resumeAt });

      const b = new Params(dtype); // fresh parameters (params0) and state: all must come from the file
      const optB = makers[name]!(b.ps);
      await loadCheckpoint(file, b, optB);
      b.ps.forEach((p, i) => {
        const saved = optA.state.get(a.ps[i]!)!;
        const loaded = optB.state.get(p);
        expect(Object.keys(loaded ?? {}).sort(), `state of param ${i}`).toEqual(Object.keys(saved).sort());
        for (const k of keys) {
          expect(saved[k], `${k} of param ${i}`).toBeInstanceOf(Tensor);
          expectClose(
            loaded![k] as Tensor,
            saved[k] as Tensor,
            { rtol: 0, atol: 0 },
            `${k} of param ${i}`,
            'optim resumed state',
          );
        }
      });
      runSteps(b.ps, optB, expected, dtype, `${name} after the load`, meta.resumeAt, STEPS);
    });
  }

  afterAll(() => report(`optimizers ${dtype}, seed ${ref.seed}`));
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
  const { atol } = TOLERANCES.schedule;
  for (const [name, make] of Object.entries(schedules)) {
    it(name, () => {
      const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 0.4, momentum: 0.9 });
      const sched = make(opt);
      meta.schedules[name]!.forEach(([lr, momentum], step) => {
        if (step > 0) sched.step();
        expect(Math.abs(opt.paramGroups[0]!.options.lr - lr), `lr at step ${step}`).toBeLessThanOrEqual(atol);
        expect(
          Math.abs(opt.paramGroups[0]!.options.momentum - momentum),
          `momentum at step ${step}`,
        ).toBeLessThanOrEqual(atol);
      });
    });
  }
});
