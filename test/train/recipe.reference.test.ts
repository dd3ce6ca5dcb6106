/**
 * What torchvision's reference training script does with its flags, against that script's code
 * run in PyTorch (scripts/gen_recipe_reference.py): the weight-decay groups of
 * --norm-weight-decay/--bias-weight-decay, the schedule with --lr-warmup-* for each
 * --lr-scheduler, --clip-grad-norm and --model-ema.
 */
import { describe, expect, it } from 'vitest';
import { nn, noGrad, optim, resnet18, tensor, type Tensor } from '../../lib/index.js';
import { recipeSchedule, weightDecayGroups, type ScheduleFlags } from '../../lib/cli/recipe.js';
import { emaDecayFor, ExponentialMovingAverage } from '../../lib/train/ema.js';
import { expectClose, TOLERANCES } from '../helpers/compare.js';
import { loadReference } from '../helpers/reference.js';

const ref = await loadReference('recipes');
const meta = ref.meta as {
  weightDecay: Record<
    string,
    { norm: number | null; bias: number | null; groups: Array<{ names: string[]; weightDecay: number }> }
  >;
  schedules: Record<string, { flags: ScheduleFlags & { lr: number }; lrs: number[] }>;
  clip: {
    shapes: number[][];
    grads: number[][];
    cases: Record<string, { maxNorm: number; total: number; grads: number[][] }>;
  };
  ema: {
    batchSize: number;
    steps: number;
    epochs: number;
    decayFlag: number;
    decay: number;
    restartAfter: number;
    updates: number[][][];
    states: number[][][];
  };
};
const exact = { rtol: 0, atol: 0 };

describe('--norm-weight-decay and --bias-weight-decay: torchvision’s set_weight_decay', () => {
  const model = resnet18();
  const trainable = new Set(model.parameters());
  for (const [name, c] of Object.entries(meta.weightDecay)) {
    it(name, () => {
      const groups = weightDecayGroups(model, trainable, {
        weightDecay: 1e-4,
        normWeightDecay: c.norm ?? undefined,
        biasWeightDecay: c.bias ?? undefined,
      });
      expect(groups.map((g) => ({ names: g.names, weightDecay: g.weightDecay }))).toEqual(c.groups);
    });
  }
});

describe('--lr-scheduler with --lr-warmup-epochs/-method/-decay and --lr-milestones: train.py’s schedule', () => {
  for (const [name, c] of Object.entries(meta.schedules)) {
    it(name, () => {
      const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: c.flags.lr, momentum: 0.9 });
      const sched = recipeSchedule(opt, c.flags)!;
      c.lrs.forEach((lr, epoch) => {
        if (epoch > 0) sched.step();
        expect(Math.abs(opt.paramGroups[0]!.options.lr - lr), `lr at epoch ${epoch}`).toBeLessThanOrEqual(
          TOLERANCES.schedule.atol,
        );
      });
    });
  }
});

describe('--clip-grad-norm: torch.nn.utils.clip_grad_norm_', () => {
  const { shapes, grads } = meta.clip;
  for (const [name, c] of Object.entries(meta.clip.cases)) {
    it(`maxNorm ${name}: the gradients and the total norm, bitwise`, () => {
      const ps = shapes.map((s) =>
        tensor(new Float32Array(s.reduce((a, b) => a * b, 1)), { shape: s, requiresGrad: true }),
      );
      ps.forEach((p, i) => (p.grad = tensor(Float32Array.from(grads[i]!), { shape: shapes[i]! })));
      const total = optim.clipGradNorm_(ps, c.maxNorm)!;
      expect(total.item()).toBe(Math.fround(c.total));
      ps.forEach((p, i) => {
        const expected = tensor(Float32Array.from(c.grads[i]!), { shape: shapes[i]! });
        expectClose(p.grad!, expected, exact, `grad ${i}`, 'clip_grad_norm_');
      });
    });
  }
  it('no gradients: null', () => {
    expect(optim.clipGradNorm_([tensor([1], { requiresGrad: true })], 1)).toBeNull();
  });
});

describe('--model-ema: torchvision’s ExponentialMovingAverage', () => {
  const e = meta.ema;
  it('the decay train.py derives from --model-ema-decay, --model-ema-steps, batch size and epochs', () => {
    expect(emaDecayFor(e.decayFlag, e.batchSize, e.steps, e.epochs)).toBe(e.decay);
  });
  it('parameters and buffers after each update, with a warm-up restart, bitwise', () => {
    const make = () => new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm2d(3));
    const model = make();
    const ema = new ExponentialMovingAverage(make(), e.decay);
    const all = (m: nn.Module): Tensor[] => [...m.parameters(), ...m.buffers()];
    e.updates.forEach((values, step) => {
      // the training step changed the weights (as the Python reference sets them, without autograd)
      noGrad(() =>
        all(model).forEach((t, k) => {
          const v =
            t.dtype === 'int64' ? BigInt64Array.from(values[k]!, BigInt) : Float32Array.from(values[k]!);
          const source = tensor(v, { shape: [...t.shape] });
          t.copy_(source);
          source.dispose();
        }),
      );
      ema.updateParameters(model);
      if (step === e.restartAfter) ema.nAveraged = 0;
      all(ema.module).forEach((t, k) => {
        const got = Array.from(t.dataSync() as Float32Array | BigInt64Array, Number);
        const want =
          t.dtype === 'int64' ? e.states[step]![k]! : Array.from(Float32Array.from(e.states[step]![k]!));
        expect(got, `step ${step}, tensor ${k}`).toEqual(want);
      });
    });
  });
});
