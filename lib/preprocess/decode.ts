/**
 * Decoding an image (JPEG, PNG, WebP, and whatever else libvips reads) from a path or a Buffer
 * and applying torchvision's eval geometry: resize the shorter side, center crop. Runs on
 * libuv's threads (sharp), not on the JavaScript thread.
 */
import { describe } from '../describe.js';
import { ArgumentError } from '../errors.js';
import { resizeCenterCrop } from '../data/image_resize.js';
import { ImageError } from './errors.js';
import { loadSharp } from './sharp_loader.js';

/** An image as a path or its encoded bytes. */
export type ImageInput = string | Uint8Array;

/** Decoded pixels, height × width × channels, uint8, row-major (HWC). */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Options of `decodeImage`. */
export interface DecodeOptions {
  /** 3 for RGB (alpha dropped, grayscale expanded), 1 for grayscale (default 3). */
  channels?: 1 | 3;
  /** Resize the shorter side to this, then center-crop `cropSize` (both or neither). */
  resizeSize?: number;
  /** Side of the square center crop. */
  cropSize?: number;
  /** Images with more pixels (width × height) are refused (default 40 megapixels). */
  maxPixels?: number;
}

const DEFAULT_MAX_PIXELS = 40_000_000;

function name(input: ImageInput): string {
  return typeof input === 'string' ? input : `an image of ${input.byteLength} bytes`;
}

/**
 * Decodes `input` to HWC uint8 pixels, resized and center-cropped when `resizeSize` and
 * `cropSize` are given (torchvision's `Resize` + `CenterCrop`, antialiased bilinear). EXIF
 * orientation is ignored, as torchvision's PIL loader ignores it.
 */
export async function decodeImage(input: ImageInput, options: DecodeOptions = {}): Promise<DecodedImage> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array))
    throw new ArgumentError(`Expected an image path or a Buffer for image but received ${describe(input)}`);
  const { channels = 3, resizeSize, cropSize, maxPixels = DEFAULT_MAX_PIXELS } = options;
  if ((resizeSize === undefined) !== (cropSize === undefined))
    throw new ArgumentError('Expected both resizeSize and cropSize, or neither');
  const sharp = await loadSharp();
  const open = () => sharp(input, { limitInputPixels: false, failOn: 'error' });
  let width: number;
  let height: number;
  try {
    const meta = await open().metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (err) {
    throw new ImageError(
      `${name(input)} is not an image that can be read (${(err as Error).message})`,
      'not_an_image',
      {
        cause: err,
      },
    );
  }
  if (width === 0 || height === 0)
    throw new ImageError(`${name(input)} has no size: not an image`, 'not_an_image');
  if (width * height > maxPixels)
    throw new ImageError(
      `${name(input)} is ${width}×${height} = ${width * height} pixels; the limit is ${maxPixels}`,
      'image_too_large',
    );
  let image = channels === 1 ? open().grayscale() : open().removeAlpha().toColourspace('srgb');
  if (resizeSize !== undefined && cropSize !== undefined)
    image = resizeCenterCrop(image, width, height, resizeSize, cropSize);
  try {
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw new ImageError(`${name(input)} could not be decoded (${(err as Error).message})`, 'not_an_image', {
      cause: err,
    });
  }
}
