/** The images of a classification request: a raw image body, or JSON with base64 images. */
import { HttpError } from './errors.js';

/** What a request asks to classify. */
export interface ClassifyRequest {
  images: Buffer[];
  /** True for one image (answered as `predictions`), false for a list (answered as `results`). */
  single: boolean;
  topk: number | undefined;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeBase64(value: unknown, where: string): Buffer {
  if (typeof value !== 'string' || value.length === 0)
    throw new HttpError(
      400,
      'bad_json',
      `Expected a base64 string for ${where} but received ${typeof value}`,
    );
  // A data URL's prefix is allowed: what browsers' FileReader gives.
  const text = value.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!BASE64.test(text)) throw new HttpError(400, 'bad_json', `${where} is not base64`);
  return Buffer.from(text, 'base64');
}

function topkOf(value: unknown, maxTopk: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > maxTopk)
    throw new HttpError(
      400,
      'bad_topk',
      `Expected topk to be an integer in [1, ${maxTopk}] but received ${String(value)}`,
    );
  return n;
}

/** The request's images and top-k from its (parsed) body and query; 400s for anything else. */
export function parseClassifyRequest(
  body: unknown,
  query: Record<string, unknown>,
  limits: { maxImages: number; maxTopk: number },
): ClassifyRequest {
  const queryTopk = topkOf(query['topk'], limits.maxTopk);
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw new HttpError(400, 'not_an_image', 'The request body is empty');
    return { images: [body], single: true, topk: queryTopk };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'bad_json',
      'Expected a JSON object {"image": base64} or {"images": [base64, ...]}',
    );
  const b = body as Record<string, unknown>;
  const topk = topkOf(b['topk'], limits.maxTopk) ?? queryTopk;
  if (b['image'] !== undefined) return { images: [decodeBase64(b['image'], 'image')], single: true, topk };
  const list = b['images'];
  if (!Array.isArray(list) || list.length === 0)
    throw new HttpError(
      400,
      'bad_json',
      'Expected "image" (base64) or "images" (a non-empty array of base64)',
    );
  if (list.length > limits.maxImages)
    throw new HttpError(
      400,
      'too_many_images',
      `Expected at most ${limits.maxImages} images but received ${list.length}`,
    );
  return { images: list.map((v, i) => decodeBase64(v, `images[${i}]`)), single: false, topk };
}
