/**
 * An exponential moving average of a model's weights, as torchvision's reference
 * `ExponentialMovingAverage` (an `AveragedModel` with `use_buffers=True`): every parameter and
 * buffer of the copy becomes decay * average + (1 - decay) * current, the first update copies,
 * and the batch norm statistics are averaged too. torchvision's train.py updates it every
 * `--model-ema-steps` batches with a decay adjusted for them (`emaDecayFor`), and restarts it
 * (copying again) during the warm-up epochs.
 */
import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';
import { checkNumber } from '../validate.js';

/** The averaged copy of a model; `module` is a model of the same architecture that holds the averages. */
export class ExponentialMovingAverage {
  /** How many updates the average holds (AveragedModel's `n_averaged`); 0 makes the next update a copy. */
  nAveraged = 0;

  /**
   * `module`: a second instance of the model's architecture (its weights are overwritten at the
   * first update); `decay`: the weight of the old average, in [0, 1].
   */
  constructor(
    readonly module: Module,
    readonly decay: number,
  ) {
    checkNumber('decay', decay);
    if (decay < 0 || decay > 1)
      throw new ArgumentError(`Expected a number in [0, 1] for decay but received ${decay}`);
  }

  #tensors(m: Module): Tensor[] {
    return [...m.parameters(), ...m.buffers()];
  }

  /** Averages `model`'s current parameters and buffers into the copy (torchvision's `update_parameters`). */
  updateParameters(model: Module): void {
    const mine = this.#tensors(this.module);
    const theirs = this.#tensors(model);
    if (mine.length !== theirs.length)
      throw new ArgumentError(
        `Expected a model with ${mine.length} parameters and buffers, as the averaged copy, but received ${theirs.length}`,
      );
    noGrad(() => {
      mine.forEach((avg, k) => {
        const current = theirs[k]!;
        if (this.nAveraged === 0) {
          avg.copy_(current);
          return;
        }
        // decay * avg + (1 - decay) * current, in the order Python evaluates it
        const a = avg.mul(this.decay);
        const b = current.mul(1 - this.decay);
        const sum = a.add(b);
        avg.copy_(sum);
        for (const t of [a, b, sum]) t.dispose();
      });
    });
    this.nAveraged += 1;
  }
}

/**
 * torchvision train.py's EMA decay: the per-image `decay` (`--model-ema-decay`) adjusted so that
 * updating every `steps` batches of `batchSize` over `epochs` averages over the same horizon:
 * alpha = min(1, (1 - decay) * batchSize * steps / epochs), decay' = 1 - alpha.
 */
export function emaDecayFor(decay: number, batchSize: number, steps: number, epochs: number): number {
  const adjust = (batchSize * steps) / epochs;
  const alpha = Math.min(1, (1 - decay) * adjust);
  return 1 - alpha;
}
