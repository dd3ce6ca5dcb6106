/**
 * Async native work (a replay, a read-back) settles from a libuv callback, so an error it
 * rejects with has no JavaScript frames. As sharp does, the error is given the stack of the
 * call that started the work: an async failure then reads like the sync one would.
 */
import { ResnetNativeError } from './errors.js';

/**
 * Awaits the native promise made by `start`; a library error it rejects with gets the caller's
 * stack, after a line naming the `work` ("--- replay started at ---").
 */
export async function withCallSite<T>(work: string, start: () => Promise<T>): Promise<T> {
  // Made before the first await, so it holds the frames of the caller.
  const site = new Error();
  try {
    return await start();
  } catch (error) {
    if (error instanceof ResnetNativeError && site.stack !== undefined) {
      const frames = site.stack.slice(site.stack.indexOf('\n'));
      error.stack = `${error.name}: ${error.message}\n    --- ${work} started at ---${frames}`;
    }
    throw error;
  }
}
