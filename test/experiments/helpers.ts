/** Shared by the experiment tests: SVG well-formedness through librsvg (sharp refuses malformed XML). */
import sharp from 'sharp';

/** Renders `svg`; rejects if it is not well-formed. Resolves to its size. */
export async function renderSvg(svg: string | Buffer): Promise<{ width: number; height: number }> {
  const { width = 0, height = 0 } = await sharp(Buffer.from(svg))
    .png()
    .toBuffer({ resolveWithObject: true })
    .then((r) => r.info);
  return { width, height };
}
