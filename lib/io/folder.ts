/**
 * Creating output folders with a clear error. Node 20's `mkdir(path, { recursive: true })`
 * loops forever (at full CPU) where a parent answers EEXIST without being a folder it can
 * enter, as under /proc; so each missing level is created on its own, and the first failure
 * says which folder could not be made and why.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ArgumentError } from '../errors.js';

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** Creates `path` and its missing parents; throws an ArgumentError naming the folder at fault. */
export async function makeFolder(path: string): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    const s = await stat(p).catch((err: unknown) => {
      // Missing, or under a file (ENOTDIR): look further up for the level at fault.
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
      throw new ArgumentError(`Cannot create the folder ${target}: ${p} is not usable (${code(err)})`, {
        cause: err,
      });
    });
    if (s !== undefined) {
      if (!s.isDirectory())
        throw new ArgumentError(`Cannot create the folder ${target}: ${p} exists and is not a folder`);
      break;
    }
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    await mkdir(p).catch((err: unknown) => {
      if (code(err) === 'EEXIST') return; // made meanwhile by someone else: fine if a folder
      throw new ArgumentError(`Cannot create the folder ${target}: mkdir ${p} failed (${code(err)})`, {
        cause: err,
      });
    });
  }
}

/** Throws a clear error when the folder that `file` is to be written into does not exist. */
export async function checkParentFolder(file: string): Promise<void> {
  const dir = dirname(resolve(file));
  const s = await stat(dir).catch(() => undefined);
  if (s === undefined) throw new ArgumentError(`Cannot write ${file}: the folder ${dir} does not exist`);
  if (!s.isDirectory()) throw new ArgumentError(`Cannot write ${file}: ${dir} is not a folder`);
}
