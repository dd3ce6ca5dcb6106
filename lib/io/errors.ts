/**
 * The error type of the weight-file readers: every problem with a file's contents (truncated,
 * corrupted, of another format, an unsafe pickle) is a FormatError, so callers can tell "bad
 * file" apart from bugs and from I/O errors (ENOENT etc. pass through unchanged from node:fs).
 * The class itself is the library's (lib/errors.ts, under ResnetNativeError); this module only
 * adds the helper that prefixes a file name.
 */
import { FormatError } from '../errors.js';

export { FormatError };

/** `err` as a FormatError whose message starts with `context` (e.g. the file's path). */
export function withContext(context: string, err: unknown): FormatError {
  const message = err instanceof Error ? err.message : String(err);
  return new FormatError(`${context}: ${message}`, { cause: err });
}
