/**
 * A class-per-folder image dataset (torchvision's ImageFolder): root/<class>/<image>.
 * Images (JPEG, PNG, WebP, ...) are decoded by sharp (libvips) on libuv's threads, cropped
 * and resized there to one size so that they batch, and handed over as CHW uint8.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { FormatError, ArgumentError } from '../errors.js';
import type { ItemDataset, Sample } from './dataset.js';
import { resizeCenterCrop } from './image_resize.js';
import { loadSharp } from '../preprocess/sharp_loader.js';

const EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif']);

/** Options of `ImageFolder`. */
export interface ImageFolderOptions {
  /**
   * 'eval': resize the shorter side to `resizeSize`, then center-crop `cropSize` (ImageNet
   * preset: 256/224; torchvision's V2 weights use 232/224). 'train': random-resized crop to
   * `cropSize` (scale 0.08–1, ratio 3/4–4/3).
   */
  mode?: 'train' | 'eval';
  /** Side of the square images produced (default 224). */
  cropSize?: number;
  /** Shorter side after resizing, before the center crop of 'eval' mode (default 256). */
  resizeSize?: number;
  /** Channels per image: 3 (RGB) or 1 (grayscale). */
  channels?: 1 | 3;
}

/** A class-per-folder image dataset, as torchvision's `ImageFolder`: `root/<class>/<image>`, classes sorted by name. Images are decoded by sharp on libuv's threads and made the same size (see `ImageFolderOptions`). */
export class ImageFolder implements ItemDataset {
  /** An item-by-item dataset. */
  readonly kind = 'items';
  /** Class names (the sub-folders, sorted), by class index. */
  readonly classes: readonly string[];
  /** Every image file with its class index, in order. */
  readonly files: ReadonlyArray<{ path: string; target: number }>;
  private readonly options: Required<ImageFolderOptions>;

  constructor(
    readonly root: string,
    options: ImageFolderOptions = {},
  ) {
    this.options = { mode: 'eval', cropSize: 224, resizeSize: 256, channels: 3, ...options };
    let entries: string[];
    try {
      entries = readdirSync(root).sort();
    } catch (error) {
      throw new FormatError(`Cannot read image folder ${root}: ${(error as Error).message}`);
    }
    this.classes = entries.filter((e) => statSync(join(root, e)).isDirectory());
    const files: Array<{ path: string; target: number }> = [];
    this.classes.forEach((cls, target) => {
      for (const f of readdirSync(join(root, cls)).sort()) {
        if (EXTENSIONS.has(extname(f).toLowerCase())) files.push({ path: join(root, cls, f), target });
      }
    });
    if (files.length === 0)
      throw new FormatError(`No images found under ${root} (expected root/<class>/<image>)`);
    this.files = files;
  }

  /** Number of images. */
  get length(): number {
    return this.files.length;
  }

  /** Decodes, crops and resizes image `index` to CHW uint8 (random-resized crop from `rng` in 'train' mode). */
  async get(index: number, rng: { next(): number }): Promise<Sample> {
    const file = this.files[index];
    if (file === undefined)
      throw new ArgumentError(`Index ${index} is outside the dataset (length ${this.length})`);
    const { cropSize, resizeSize, channels, mode } = this.options;
    // No EXIF rotation: torchvision's PIL loader ignores it too, and numbers should match.
    const sharp = await loadSharp(); // lazily: importing the library must not need sharp
    let image = sharp(file.path);
    image = channels === 1 ? image.grayscale() : image.removeAlpha().toColourspace('srgb');
    const meta = await image.metadata();
    const [W, H] = [meta.width ?? 0, meta.height ?? 0];
    if (W === 0 || H === 0) throw new FormatError(`Cannot read the size of ${file.path}`);
    if (mode === 'train') {
      const [top, left, h, w] = resizedCropBox(H, W, rng);
      image = image
        .extract({ top, left, width: w, height: h })
        .resize(cropSize, cropSize, { fit: 'fill', kernel: 'linear' });
    } else {
      image = resizeCenterCrop(image, W, H, resizeSize, cropSize);
    }
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels)
      throw new FormatError(`${file.path} decoded to ${info.channels} channels, expected ${channels}`);
    return {
      pixels: hwcToChw(data, info.height, info.width, channels),
      shape: [channels, info.height, info.width],
      target: file.target,
    };
  }
}

function resizedCropBox(H: number, W: number, rng: { next(): number }): [number, number, number, number] {
  for (let t = 0; t < 10; t++) {
    const area = H * W * (0.08 + 0.92 * rng.next());
    const ratio = Math.exp(Math.log(3 / 4) + (Math.log(4 / 3) - Math.log(3 / 4)) * rng.next());
    const w = Math.round(Math.sqrt(area * ratio));
    const h = Math.round(Math.sqrt(area / ratio));
    if (w > 0 && h > 0 && w <= W && h <= H) {
      return [Math.floor(rng.next() * (H - h + 1)), Math.floor(rng.next() * (W - w + 1)), h, w];
    }
  }
  const side = Math.min(H, W);
  return [Math.floor((H - side) / 2), Math.floor((W - side) / 2), side, side];
}

function hwcToChw(data: Uint8Array, h: number, w: number, c: number): Uint8Array {
  if (c === 1) return new Uint8Array(data.buffer, data.byteOffset, h * w).slice();
  const out = new Uint8Array(c * h * w);
  const plane = h * w;
  for (let i = 0; i < plane; i++) for (let k = 0; k < c; k++) out[k * plane + i] = data[i * c + k]!;
  return out;
}
