/**
 * Learning-rate schedules, as torch.optim.lr_scheduler. Each computes the closed form of
 * its schedule from its own step count, which equals PyTorch's chained updates up to
 * floating-point rounding. Construction performs the initial step, as in PyTorch.
 */
import { ArgumentError } from '../errors.js';
import { describe } from '../describe.js';
import type { Optimizer } from './optimizer.js';
import { checkRange } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

/** Base class of the learning-rate schedules, as `torch.optim.lr_scheduler.LRScheduler`: each computes the rate of every parameter group from its step count and writes it into the optimizer. Construction performs the first step, as PyTorch. */
export abstract class LRScheduler {
  /** Steps taken (PyTorch's `last_epoch`): 0 right after construction. */
  lastEpoch = -1;
  protected readonly baseLrs: number[];

  protected constructor(readonly optimizer: AnyOptimizer) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.options.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The learning rate of group `i` after `epoch` steps. */
  protected abstract lrAt(epoch: number, i: number): number;

  /** Advances one step (or jumps to `epoch`) and writes the new rates into the optimizer. */
  step(epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.lrAt(this.lastEpoch, i)));
  }

  /** The rates the last step set, one per parameter group (PyTorch's `get_last_lr`). */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The schedule's position, for checkpoints (`{ lastEpoch }`). */
  stateDict(): { lastEpoch: number } {
    return { lastEpoch: this.lastEpoch };
  }

  /** Restores the position saved by `stateDict()`; takes effect at the next `step()`. */
  loadStateDict(sd: { lastEpoch: number }): void {
    this.lastEpoch = checkRange('lastEpoch', sd?.lastEpoch, -1);
  }
}

function int(name: string, value: unknown, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new ArgumentError(`Expected an integer >= ${min} for ${name} but received ${describe(value)}`);
  }
  return value as number;
}

/** Multiplies the initial rate by `gamma` (default 0.1) every `stepSize` steps, as PyTorch's `StepLR`. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { stepSize: number; gamma?: number },
  ) {
    super(optimizer);
    int('stepSize', options.stepSize, 1);
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    return this.baseLrs[i]! * (this.options.gamma ?? 0.1) ** Math.floor(e / this.options.stepSize);
  }
}

/** Multiplies the initial rate by `gamma` (default 0.1) at each of the `milestones` (steps), as PyTorch's `MultiStepLR`. */
export class MultiStepLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { milestones: number[]; gamma?: number },
  ) {
    super(optimizer);
    options.milestones.forEach((m, k) => int(`milestones[${k}]`, m, 0));
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    const passed = this.options.milestones.filter((m) => m <= e).length;
    return this.baseLrs[i]! * (this.options.gamma ?? 0.1) ** passed;
  }
}

/** Multiplies the rate by `gamma` every step, as PyTorch's `ExponentialLR`. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { gamma: number },
  ) {
    super(optimizer);
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    return this.baseLrs[i]! * this.options.gamma ** e;
  }
}

/** Cosine annealing from the initial rate down to `etaMin` (default 0) over `tMax` steps, as PyTorch's `CosineAnnealingLR` (without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { tMax: number; etaMin?: number },
  ) {
    super(optimizer);
    int('tMax', options.tMax, 1);
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    const min = this.options.etaMin ?? 0;
    return min + ((this.baseLrs[i]! - min) * (1 + Math.cos((Math.PI * e) / this.options.tMax))) / 2;
  }
}

/** Linear warm-up (or decay) of the rate by a factor, over `totalIters` steps. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    checkRange('startFactor', options.startFactor ?? 1 / 3, 0, 1, true);
    checkRange('endFactor', options.endFactor ?? 1, 0, 1);
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = this.options;
    return (
      this.baseLrs[i]! * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, e)) / totalIters)
    );
  }
}

/** Multiplies the rate by a constant `factor` (default 1/3) for the first `totalIters` steps (default 5), as PyTorch's `ConstantLR`: torchvision's constant warm-up. */
export class ConstantLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { factor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    checkRange('factor', options.factor ?? 1 / 3, 0, 1);
    int('totalIters', options.totalIters ?? 5, 0);
    this.step();
  }
  protected lrAt(e: number, i: number): number {
    const { factor = 1 / 3, totalIters = 5 } = this.options;
    return this.baseLrs[i]! * (e < totalIters ? factor : 1);
  }
}

/** Runs `schedulers` one after another, switching at `milestones` (steps). */
export class SequentialLR extends LRScheduler {
  private current: LRScheduler;
  constructor(
    optimizer: AnyOptimizer,
    readonly options: { schedulers: LRScheduler[]; milestones: number[] },
  ) {
    super(optimizer);
    const { schedulers, milestones } = options;
    if (schedulers.length !== milestones.length + 1) {
      throw new ArgumentError(
        `Expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers but received ${milestones.length}`,
      );
    }
    if (schedulers.some((s) => s.optimizer !== optimizer))
      throw new ArgumentError('Every scheduler must belong to the same optimizer');
    this.current = schedulers[0]!;
    this.lastEpoch = 0;
    // As PyTorch: undo the other schedulers' initial steps, then start the first one.
    for (const s of schedulers) s.lastEpoch -= 1;
    this.current.step();
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = this.options.milestones.filter((m) => m <= this.lastEpoch).length;
    this.current = this.options.schedulers[idx]!;
    if (idx > 0 && this.options.milestones[idx - 1] === this.lastEpoch) this.current.step(0);
    else this.current.step();
  }
  protected lrAt(): number {
    throw new Error('SequentialLR delegates to its schedulers');
  }
  /** The position of this schedule and of each of its schedulers. */
  override stateDict(): { lastEpoch: number; schedulers: Array<{ lastEpoch: number }> } {
    return { lastEpoch: this.lastEpoch, schedulers: this.options.schedulers.map((s) => s.stateDict()) };
  }
  /** Restores the positions saved by `stateDict()`. */
  override loadStateDict(sd: { lastEpoch: number; schedulers?: Array<{ lastEpoch: number }> }): void {
    super.loadStateDict(sd);
    sd.schedulers?.forEach((s, i) => this.options.schedulers[i]?.loadStateDict(s));
    this.current =
      this.options.schedulers[this.options.milestones.filter((m) => m <= this.lastEpoch).length]!;
  }
}
