/** The 1cycle policy (Smith & Topin), as torch.optim.lr_scheduler.OneCycleLR. */
import { ArgumentError } from '../errors.js';
import { LRScheduler } from './lr_scheduler.js';
import type { Optimizer } from './optimizer.js';
import { checkRange } from './optimizer.js';

/** Options of `OneCycleLR`, as PyTorch's `OneCycleLR` arguments (camelCased). */
export interface OneCycleOptions {
  /** Peak learning rate, one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, gives `totalSteps = epochs * stepsPerEpoch`. */
  epochs?: number;
  /** Batches per epoch (see `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the rate (default 0.3). */
  pctStart?: number;
  /** Shape of the annealing: cosine (the default) or linear. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD's `momentum`, AdamW's beta1) inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak rate (default 0.85). */
  baseMomentum?: number;
  /** Highest momentum, at the start and end (default 0.95). */
  maxMomentum?: number;
  /** Initial rate = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final rate = initial rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Add a phase that brings the rate back down to the initial rate before the final annealing (default false). */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  from: 'initial' | 'max' | 'min';
  to: 'initial' | 'max' | 'min';
  momentumFrom: 'max' | 'base';
  momentumTo: 'max' | 'base';
}

/** The 1cycle policy (Smith & Topin), as PyTorch's `OneCycleLR`: the rate rises from maxLr / divFactor to maxLr, then anneals far below, with momentum cycled the other way. Step it after every batch. */
export class OneCycleLR extends LRScheduler {
  /** The number of steps in the cycle. */
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly lrs: Array<{ initial: number; max: number; min: number }>;

  constructor(
    optimizer: Optimizer<{ lr: number }>,
    readonly options: OneCycleOptions,
  ) {
    // OneCycle sets the initial rate itself (max / divFactor), before the base class reads it.
    const o = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, ...options };
    const maxLrs = optimizer.paramGroups.map((_, i) => (Array.isArray(o.maxLr) ? o.maxLr[i] : o.maxLr));
    maxLrs.forEach((m, i) => checkRange(`maxLr[${i}]`, m, 0));
    optimizer.paramGroups.forEach((g, i) => (g.initialLr = maxLrs[i]! / o.divFactor));
    super(optimizer);
    this.totalSteps = o.totalSteps ?? (o.epochs ?? 0) * (o.stepsPerEpoch ?? 0);
    if (!Number.isSafeInteger(this.totalSteps) || this.totalSteps < 1) {
      throw new ArgumentError(
        'OneCycleLR needs totalSteps, or epochs and stepsPerEpoch, as positive integers',
      );
    }
    checkRange('pctStart', o.pctStart, 0, 1);
    this.lrs = maxLrs.map((max) => ({
      initial: max! / o.divFactor,
      max: max!,
      min: max! / o.divFactor / o.finalDivFactor,
    }));
    const up = o.pctStart * this.totalSteps - 1;
    this.phases = o.threePhase
      ? [
          { end: up, from: 'initial', to: 'max', momentumFrom: 'max', momentumTo: 'base' },
          {
            end: 2 * o.pctStart * this.totalSteps - 2,
            from: 'max',
            to: 'initial',
            momentumFrom: 'base',
            momentumTo: 'max',
          },
          { end: this.totalSteps - 1, from: 'initial', to: 'min', momentumFrom: 'max', momentumTo: 'max' },
        ]
      : [
          { end: up, from: 'initial', to: 'max', momentumFrom: 'max', momentumTo: 'base' },
          { end: this.totalSteps - 1, from: 'max', to: 'min', momentumFrom: 'base', momentumTo: 'max' },
        ];
    this.step();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.options.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  /** [phase, fraction] for step `e`. */
  private locate(e: number): [Phase, number] {
    if (e > this.totalSteps) {
      throw new ArgumentError(
        `OneCycleLR stepped ${e} times but was built for ${this.totalSteps} total steps`,
      );
    }
    let start = 0;
    for (const [k, phase] of this.phases.entries()) {
      if (e <= phase.end || k === this.phases.length - 1) return [phase, (e - start) / (phase.end - start)];
      start = phase.end;
    }
    throw new Error('unreachable');
  }

  protected lrAt(e: number, i: number): number {
    const [phase, pct] = this.locate(e);
    const lr = this.lrs[i]!;
    return this.anneal(lr[phase.from], lr[phase.to], pct);
  }

  override step(epoch?: number): void {
    super.step(epoch);
    if (this.options.cycleMomentum === false) return;
    const [phase, pct] = this.locate(this.lastEpoch);
    const m = { base: this.options.baseMomentum ?? 0.85, max: this.options.maxMomentum ?? 0.95 };
    const momentum = this.anneal(m[phase.momentumFrom], m[phase.momentumTo], pct);
    for (const g of this.optimizer.paramGroups) {
      const opts = g.options as { momentum?: number; betas?: [number, number] };
      if (opts.betas !== undefined) opts.betas = [momentum, opts.betas[1]];
      else if (opts.momentum !== undefined) opts.momentum = momentum;
    }
  }
}
