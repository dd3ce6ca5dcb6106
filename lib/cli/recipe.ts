/**
 * The parts of torchvision's references/classification/train.py that decide what a recipe
 * does, as it does them: the weight-decay parameter groups (`utils.set_weight_decay`) and the
 * learning-rate schedule with its warm-up. The CLI's `train` uses them.
 */
import { BatchNorm2d } from '../nn/batchnorm.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import * as S from '../optim/schedulers.js';
import type { Tensor } from '../tensor.js';

/** A parameter group as torchvision builds it, with the parameters' names (for tests and logs). */
export interface NamedGroup {
  names: string[];
  params: Tensor[];
  weightDecay: number;
}

/**
 * torchvision's `set_weight_decay`: `normWeightDecay` for every parameter of a normalization
 * layer, `biasWeightDecay` for every parameter named `bias` (it wins over the norm rule, as
 * there), `weightDecay` for the rest; groups in the order other, norm, bias; empty ones left out.
 */
export function weightDecayGroups(
  model: Module,
  trainable: Set<Tensor>,
  o: { weightDecay: number; normWeightDecay?: number | undefined; biasWeightDecay?: number | undefined },
): NamedGroup[] {
  const groups = {
    other: { names: [] as string[], params: [] as Tensor[], weightDecay: o.weightDecay },
    norm: { names: [] as string[], params: [] as Tensor[], weightDecay: o.normWeightDecay ?? o.weightDecay },
    bias: { names: [] as string[], params: [] as Tensor[], weightDecay: o.biasWeightDecay ?? o.weightDecay },
  };
  const visit = (m: Module, prefix: string): void => {
    for (const [name, p] of m.namedParameters({ recurse: false })) {
      if (!trainable.has(p)) continue;
      const key =
        o.biasWeightDecay !== undefined && name === 'bias'
          ? 'bias'
          : o.normWeightDecay !== undefined && m instanceof BatchNorm2d
            ? 'norm'
            : 'other';
      groups[key].names.push(prefix === '' ? name : `${prefix}.${name}`);
      groups[key].params.push(p);
    }
    for (const [name, child] of m.namedChildren()) visit(child, prefix === '' ? name : `${prefix}.${name}`);
  };
  visit(model, '');
  return Object.values(groups).filter((g) => g.params.length > 0);
}

/** What the schedule is built from: train.py's flags. */
export interface ScheduleFlags {
  lrScheduler: 'cosineannealinglr' | 'steplr' | 'multisteplr' | 'exponentiallr' | 'constant';
  epochs: number;
  lrStepSize: number;
  lrGamma: number;
  lrMin: number;
  lrMilestones?: number[] | undefined;
  lrWarmupEpochs: number;
  lrWarmupMethod: 'linear' | 'constant';
  lrWarmupDecay: number;
}

/**
 * train.py's schedule, stepped once per epoch: the main schedule (its cosine spans the epochs
 * after the warm-up), preceded for `lrWarmupEpochs` by a linear or constant warm-up from
 * `lrWarmupDecay` times the rate, joined by SequentialLR. `multisteplr` uses `lrMilestones`
 * (default: 1/2 and 3/4 of the epochs after the warm-up).
 */
export function recipeSchedule(opt: Optimizer<{ lr: number }>, f: ScheduleFlags): S.LRScheduler | undefined {
  const total = f.epochs - f.lrWarmupEpochs;
  let main: S.LRScheduler | undefined;
  if (f.lrScheduler === 'cosineannealinglr')
    main = new S.CosineAnnealingLR(opt, { tMax: Math.max(total, 1), etaMin: f.lrMin });
  else if (f.lrScheduler === 'steplr') main = new S.StepLR(opt, { stepSize: f.lrStepSize, gamma: f.lrGamma });
  else if (f.lrScheduler === 'exponentiallr') main = new S.ExponentialLR(opt, { gamma: f.lrGamma });
  else if (f.lrScheduler === 'multisteplr')
    main = new S.MultiStepLR(opt, {
      milestones: f.lrMilestones ?? [Math.floor(total / 2), Math.floor((3 * total) / 4)],
      gamma: f.lrGamma,
    });
  if (f.lrWarmupEpochs === 0) return main;
  const warm =
    f.lrWarmupMethod === 'linear'
      ? new S.LinearLR(opt, { startFactor: f.lrWarmupDecay, totalIters: f.lrWarmupEpochs })
      : new S.ConstantLR(opt, { factor: f.lrWarmupDecay, totalIters: f.lrWarmupEpochs });
  return main ? new S.SequentialLR(opt, { schedulers: [warm, main], milestones: [f.lrWarmupEpochs] }) : warm;
}
