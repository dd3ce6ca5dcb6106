/** Small test images, deterministic: RGB noise PNGs of a given size. */
import sharp from 'sharp';

/** `n` different PNGs of `width` × `height` RGB noise (a fixed LCG, so every run sends the same bytes). */
export async function noiseImages(n: number, width: number, height: number): Promise<Buffer[]> {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const pixels = Buffer.alloc(width * height * 3);
    for (let j = 0; j < pixels.length; j++) pixels[j] = Math.floor(256 * next());
    out.push(
      await sharp(pixels, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  return out;
}
