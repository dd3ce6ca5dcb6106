/**
 * Runs once before any test file: rebuilds dist/ from lib/ so the tests that run the built
 * package (CLI, worker threads, README examples) never run stale code. JavaScript only, no
 * clean: about 2 s. The type declarations are rebuilt where they are used, by `npm pack`'s
 * prepack in test/package.
 */
import { build } from 'tsup';
import config from '../tsup.config.js';

export default async function setup(): Promise<void> {
  if (Array.isArray(config) || typeof config === 'function')
    throw new Error('tsup.config.ts: expected one options object');
  await build({ ...config, config: false, dts: false, clean: false, silent: true });
}
