import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('loading', () => {
  it('loads in worker threads, each with its own state', async () => {
    // The built package (npm run setup builds dist/) in two workers at once.
    const code = `
      const { parentPort } = require('node:worker_threads');
      const rn = require(${JSON.stringify(`${root}dist/index.cjs`)});
      const t = rn.ones([3]).mul(2);
      parentPort.postMessage({ sum: t.sum().item(), live: rn.memory().liveTensors });
    `;
    const run = () =>
      new Promise<{ sum: number; live: number }>((resolve, reject) => {
        const w = new Worker(code, { eval: true });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    // ones, mul and sum: each worker counts only its own three tensors.
    for (const r of results) expect(r).toEqual({ sum: 6, live: 3 });
  });

  it('works from ESM and CommonJS entry points', () => {
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { zeros } from '${root}dist/index.js'; console.log(zeros([2, 3]).shape.join('x'))`,
      ],
      { encoding: 'utf8' },
    );
    const cjs = execFileSync(
      process.execPath,
      ['-e', `const { ones } = require('${root}dist/index.cjs'); console.log(ones([4]).sum().item())`],
      { encoding: 'utf8' },
    );
    expect(esm.trim()).toBe('2x3');
    expect(cjs.trim()).toBe('4');
  });
});
