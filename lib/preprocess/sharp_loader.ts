/**
 * sharp (libvips), loaded on first use: importing the library never loads it, so a broken or
 * absent sharp (a platform without its prebuilt binary) only fails when an image is decoded,
 * with the reason and the remedy.
 */
import type sharpType from 'sharp';
import { ResnetNativeError } from '../errors.js';

/** sharp's default export: the function that opens an image. */
export type SharpFactory = typeof sharpType;

let loading: Promise<SharpFactory> | undefined;

/** sharp, imported once; rejects with what went wrong and how to fix it. */
export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then(
    (m: { default: SharpFactory }) => m.default,
    (err: unknown) => {
      loading = undefined; // a later call may try again (after a reinstall)
      throw new ResnetNativeError(
        `Decoding images needs sharp, which failed to load (${(err as Error).message}). ` +
          'Reinstall it for this platform: npm install --include=optional sharp (see https://sharp.pixelplumbing.com/install)',
        { cause: err },
      );
    },
  );
  return loading;
}
