/** A transform maps a float batch (N, C, H, W) to a batch; random ones draw from `rng`. */
import type { Tensor } from '../../tensor.js';
import type { Rng } from '../rng.js';

/** A batch transform, as torchvision's transforms but applied to a whole float batch (N, C, H, W) at once; random ones draw from the batch's `rng`. */
export interface Transform {
  /** For run configs and logs, e.g. "RandomCrop(28, padding=4)". */
  readonly description: string;
  /** Transforms a float batch (N, C, H, W); random transforms draw from `rng`. */
  apply(batch: Tensor, rng: Rng): Tensor;
}

/** Applies `transforms` in order, as torchvision's `Compose`. */
export function compose(transforms: readonly Transform[]): Transform {
  return {
    description: `Compose(${transforms.map((t) => t.description).join(', ')})`,
    apply: (batch, rng) => transforms.reduce((x, t) => t.apply(x, rng), batch),
  };
}
