/** `F.grid_sample`: sampling an image at the locations of a grid (torchvision's affine and rotate transforms use it). */
import { native } from '../binding.js';
import type { Tensor } from '../tensor.js';
import { handleOf, wrap } from '../tensor.js';
import { ShapeError } from '../errors.js';
import { option } from './options.js';
import { checkBool, checkFloatingTensor, checkOneOf, checkOptions, checkSameDType } from '../validate.js';

/** How `gridSample` reads between pixels, as `F.grid_sample`'s `mode`. */
export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';
/** What `gridSample` reads outside the image, as `F.grid_sample`'s `padding_mode`. */
export type GridSamplePadding = 'zeros' | 'border' | 'reflection';

// PyTorch's numbering of both enums (torch.nn.functional.grid_sample passes these integers).
const modes: readonly GridSampleMode[] = ['bilinear', 'nearest', 'bicubic'];
const paddings: readonly GridSamplePadding[] = ['zeros', 'border', 'reflection'];

/** Options of `gridSample` (`F.grid_sample`'s keywords). */
export interface GridSampleOptions {
  /** Interpolation (default 'bilinear'). */
  mode?: GridSampleMode;
  /** Values outside the image (default 'zeros'). */
  paddingMode?: GridSamplePadding;
  /** Whether -1 and 1 are the centers of the corner pixels rather than their outer edges (default false). */
  alignCorners?: boolean;
}

/**
 * Samples (N, C, H, W) `input` at the (N, H_out, W_out, 2) `grid` of normalized (x, y) locations
 * in [-1, 1], as `F.grid_sample`.
 */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  const o = checkOptions('options', options);
  const handles = [handleOf(input, 'input'), handleOf(grid, 'grid')] as const;
  checkFloatingTensor('input', input);
  checkSameDType('grid', grid, 'input', input);
  if (input.ndim !== 4 || grid.ndim !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== input.shape[0])
    throw new ShapeError(
      `Expected an (N, C, H, W) input and an (N, H_out, W_out, 2) grid but received input [${input.shape.join(', ')}] and grid [${grid.shape.join(', ')}]`,
    );
  const mode = option(o, 'mode', 'bilinear', (n, v) => checkOneOf(n, v, modes));
  const padding = option(o, 'paddingMode', 'zeros', (n, v) => checkOneOf(n, v, paddings));
  return wrap(
    native.gridSample(
      ...handles,
      modes.indexOf(mode),
      paddings.indexOf(padding),
      option(o, 'alignCorners', false, checkBool),
    ),
  );
}
