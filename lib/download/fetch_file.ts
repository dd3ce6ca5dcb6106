/**
 * Downloading one file: Node's own fetch (undici, maintained with Node: redirects, TLS, HTTP
 * keep-alive, a body timeout), streamed to a temporary file beside the destination while its
 * checksum is computed, and renamed into place only once the whole file has arrived and matches
 * (writeFileAtomic). A cut connection, a wrong checksum or a server error leave nothing behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChecksumError, DownloadError } from '../errors.js';
import { writeFileAtomic } from '../io/file.js';

/** A checksum to verify: a full md5 (torchvision's datasets) or a sha256 prefix (torch.hub's check_hash). */
export type Checksum = { md5: string } | { sha256Prefix: string };

/** What the download is for, for messages ("the weights ResNet50_Weights.IMAGENET1K_V2"). */
export interface DownloadRequest {
  url: string;
  dest: string;
  checksum: Checksum;
  what: string;
}

/** The error codes of a machine that cannot reach the server. */
const OFFLINE = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET',
]); // prettier-ignore

/** A reused connection that the server had closed: the request never reached it. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);

const fetchOnce = (url: string): Promise<Response> => fetch(url, { redirect: 'follow' });

function causeCode(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const reason = (err: unknown): string => {
  const code = causeCode(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}${code !== undefined && !cause.includes(code) ? ` (${code})` : ''}`;
};

/** The algorithm, the expected value and how a digest is compared with it. */
function checker(c: Checksum): { algorithm: 'md5' | 'sha256'; expected: string; ok(hex: string): boolean } {
  return 'md5' in c
    ? { algorithm: 'md5', expected: c.md5, ok: (hex) => hex === c.md5 }
    : { algorithm: 'sha256', expected: `${c.sha256Prefix}…`, ok: (hex) => hex.startsWith(c.sha256Prefix) };
}

/** Streams the body through the hash; throws ChecksumError after the last chunk on a mismatch. */
async function* verified(body: AsyncIterable<Uint8Array>, req: DownloadRequest): AsyncGenerator<Uint8Array> {
  const check = checker(req.checksum);
  const hash = createHash(check.algorithm);
  let size = 0;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield chunk;
    }
  } catch (err) {
    throw new DownloadError(
      `The download of ${req.what} from ${req.url} broke off after ${size} bytes (${reason(err)}); nothing was kept at ${req.dest}. Try again.`,
      { cause: err },
    );
  }
  const hex = hash.digest('hex');
  if (!check.ok(hex))
    throw new ChecksumError(
      `The file downloaded for ${req.what} from ${req.url} (${size} bytes) has ${check.algorithm} ${hex}, expected ${check.expected}; it was not kept. The download was corrupted or the server sent another file.`,
    );
}

/** Downloads `req.url` to `req.dest` (atomically, verified); `dest`'s folder is created. */
export async function downloadFile(req: DownloadRequest): Promise<void> {
  let response: Response;
  try {
    response = await fetchOnce(req.url).catch((err: unknown) => {
      // A pooled keep-alive connection that the server closed meanwhile: one fresh attempt.
      if (!STALE_CONNECTION.has(causeCode(err) ?? '')) throw err;
      return fetchOnce(req.url);
    });
  } catch (err) {
    const code = causeCode(err);
    const offline = code !== undefined && OFFLINE.has(code);
    throw new DownloadError(
      `Could not download ${req.what} from ${req.url}: ${reason(err)}. ` +
        (offline ? 'This machine seems to be offline or cannot reach the server. ' : '') +
        `Download the file elsewhere and put it at ${req.dest}, or set RESNET_NATIVE_MIRROR to a server that has it.`,
      { cause: err },
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadError(
      `Could not download ${req.what}: ${req.url} answered ${response.status} ${response.statusText}. ` +
        `Download the file elsewhere and put it at ${req.dest}.`,
    );
  }
  await mkdir(dirname(req.dest), { recursive: true });
  await writeFileAtomic(req.dest, verified(response.body, req));
}

/** Whether the file at `path` has the checksum `c` (streamed: archives are large). */
export async function fileMatchesChecksum(path: string, c: Checksum): Promise<boolean> {
  const check = checker(c);
  const hash = createHash(check.algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return check.ok(hash.digest('hex'));
}
