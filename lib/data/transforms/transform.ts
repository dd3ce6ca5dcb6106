/** A transform maps a float batch (N, C, H, W) to a batch; random ones draw from `rng`. */
import type { Tensor } from '../../tensor.js';
import type { Rng } from '../rng.js';

export interface Transform {
  /** For run configs and logs, e.g. "RandomCrop(28, padding=4)". */
  readonly description: string;
  apply(batch: Tensor, rng: Rng): Tensor;
}

export function compose(transforms: readonly Transform[]): Transform {
  return {
    description: `Compose(${transforms.map((t) => t.description).join(', ')})`,
    apply: (batch, rng) => transforms.reduce((x, t) => t.apply(x, rng), batch),
  };
}
