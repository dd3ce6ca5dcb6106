/** Deterministic batch transforms: scaling to [0, 1], normalization, resizing, center crop. */
import { ArgumentError } from '../../errors.js';
import { tensor } from '../../creation.js';
import { interpolateBilinear } from '../../nn/functional.js';
import type { Device } from '../../dtype.js';
import { outsideScopes } from '../../scope.js';
import type { Tensor } from '../../tensor.js';
import { checkInt } from '../../validate.js';
import { centerOffset, resizedSize } from './geometry.js';
import type { Transform } from './transform.js';

/** uint8 pixels to float32 in [0, 1] (torchvision's ToTensor). */
export function toFloat(): Transform {
  return { description: 'ToFloat()', apply: (x) => (x.dtype === 'float32' ? x : x.to('float32').div(255)) };
}

/** (x − mean) / std per channel. */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  if (mean.length !== std.length || std.some((s) => !(s > 0))) {
    throw new ArgumentError(
      `Expected equal-length mean and std with std > 0 but received mean=[${mean}] std=[${std}]`,
    );
  }
  // Made once per device the batches come on (the CPU, usually; a GPU for batches moved
  // first), outside any tidy() that the first batch runs in.
  const make = (device: Device): [Tensor, Tensor] =>
    outsideScopes(() => [
      tensor([...mean], { shape: [1, mean.length, 1, 1], device }),
      tensor([...std], { shape: [1, std.length, 1, 1], device }),
    ]);
  const onDevice = new Map<Device, [Tensor, Tensor]>([['cpu', make('cpu')]]);
  const constants = (device: Device): [Tensor, Tensor] => {
    let ms = onDevice.get(device);
    if (ms === undefined) onDevice.set(device, (ms = make(device)));
    return ms;
  };
  return {
    description: `Normalize(mean=[${mean}], std=[${std}])`,
    apply: (x) => {
      const [m, s] = constants(x.device);
      return x.sub(m).div(s);
    },
  };
}

function center(x: Tensor, h: number, w: number): Tensor {
  const [, , H, W] = x.shape as [number, number, number, number];
  if (h > H || w > W) throw new ArgumentError(`Cannot center-crop ${H}×${W} images to ${h}×${w}`);
  return x.narrow(2, centerOffset(H, h), h).narrow(3, centerOffset(W, w), w);
}

/** Crops the center `size` × `size` of each image, as torchvision's `CenterCrop`. */
export function centerCrop(size: number): Transform {
  const s = checkInt('size', size, 1);
  return { description: `CenterCrop(${s})`, apply: (x) => center(x, s, s) };
}

/** Resizes so that the shorter side is `size` (bilinear, antialiased as torchvision's). */
export function resize(size: number): Transform {
  const s = checkInt('size', size, 1);
  return {
    description: `Resize(${s})`,
    apply: (x) => {
      const [, , H, W] = x.shape as [number, number, number, number];
      return interpolateBilinear(x, resizedSize(H, W, s), { antialias: true });
    },
  };
}
