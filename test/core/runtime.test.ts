import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError, cuda, getNumThreads, isGradEnabled, manualSeed, noGrad, rand, randn, setNumThreads,
  tensor, version,
} from '../../lib/index.js'; // prettier-ignore

/** Runs Debian's PyTorch and returns what the snippet prints as JSON. */
function torchJson(snippet: string): unknown {
  const out = execFileSync('/usr/bin/python3', ['-c', `import json, torch\n${snippet}`], {
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('runtime', () => {
  it('draws the same random numbers as PyTorch with the same seed', () => {
    const seed = 1 + Math.floor(Math.random() * 100000);
    const expected = torchJson(
      `torch.manual_seed(${seed})\na = torch.randn(2, 5).flatten().tolist()\nb = torch.rand(7).tolist()\nprint(json.dumps([a, b]))`,
    ) as [number[], number[]];
    manualSeed(seed);
    const drawn = [Array.from(randn([2, 5]).dataSync()), Array.from(rand([7]).dataSync())];
    // Walk PyTorch's numbers, not ours: a short (or empty) draw must fail, not pass vacuously.
    expected.forEach((want, k) => {
      expect(want).toHaveLength(k === 0 ? 10 : 7);
      expect(drawn[k]).toHaveLength(want.length);
      want.forEach((v, i) => expect(Math.abs(Number(drawn[k]![i]) - v)).toBeLessThan(1e-6));
    });
  });

  it('defaults to one intra-op thread per usable core, and can change it', () => {
    expect(getNumThreads()).toBe(
      Math.min(
        cpus().length,
        (process as { availableParallelism?: () => number }).availableParallelism?.() ?? cpus().length,
      ),
    );
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    setNumThreads(cpus().length);
    expect(() => setNumThreads(0)).toThrow(ArgumentError);
    expect(() => setNumThreads(0)).toThrow(
      'Expected a positive integer for threads but received 0 of type number',
    );
  });

  it('noGrad turns recording off and restores it, even on throw', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => { throw new Error('inner'); })).toThrow('inner'); // prettier-ignore
    expect(isGradEnabled()).toBe(true);
  });

  it('reports versions and devices', () => {
    expect(version.libtorch).toMatch(/^\d+\.\d+\.\d+/);
    expect(version.resnetNative).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof cuda.isAvailable()).toBe('boolean');
    expect(cuda.deviceCount()).toBe(cuda.isAvailable() ? cuda.deviceCount() : 0);
  });
});
