/**
 * The addon's CPU allocator for large blocks (native/cpu_cache_allocator.cc): a freed block is
 * kept for the next request of its size, the cache never holds more than was live at once, a
 * reused block holds what its new tensor says, and emptyCpuCache() returns everything. Under
 * AddressSanitizer, and with RESNET_NATIVE_CPU_ALLOCATOR=system, libtorch's own allocator runs.
 */
import { execFileSync } from 'node:child_process';
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyCpuCache, memory, ones, zeros } from '../../lib/index.js';

const MIB = 1 << 20;
const floats = (mib: number) => (mib * MIB) / 4;
const cached = () => memory().cpuCachedBytes;
const SANITIZED = process.env['RESNET_NATIVE_SANITIZED'] === '1';

describe.skipIf(SANITIZED)('the CPU cache of large blocks', () => {
  beforeEach(() => {
    // Garbage of earlier tests is freed (into the cache) by a collection: start from none.
    globalThis.gc?.();
    emptyCpuCache();
  });

  it('keeps a freed block for the next tensor of its size, and empties on request', () => {
    expect(cached()).toBe(0);
    zeros([floats(4)]).dispose();
    expect(cached()).toBe(4 * MIB);
    const again = ones([floats(4)]);
    expect(cached()).toBe(0);
    // The reused block holds what the new tensor says, not the old one's values.
    expect(again.sum().item()).toBe(floats(4));
    again.dispose();
    const z = zeros([floats(4)]);
    expect(z.abs().sum().item()).toBe(0);
    z.dispose();
    emptyCpuCache();
    expect(cached()).toBe(0);
  });

  it('leaves blocks under 1 MiB to libtorch', () => {
    zeros([floats(0.5)]).dispose();
    expect(cached()).toBe(0);
  });

  it('holds at most what was live at once, dropping the longest-kept blocks first', () => {
    zeros([floats(4)]).dispose(); // peak 4 MiB, kept 4
    const big = zeros([floats(8)]); // a miss: peak 8 MiB
    expect(cached()).toBe(4 * MIB);
    big.dispose(); // kept 12 > peak 8: the 4 MiB block, kept longest, goes
    expect(cached()).toBe(8 * MIB);
  });
});

it('RESNET_NATIVE_CPU_ALLOCATOR=system keeps libtorch allocator (nothing cached)', () => {
  const script =
    "import('./dist/index.js').then((rn) => { rn.zeros([1 << 22]).dispose(); console.log(rn.memory().cpuCachedBytes); })";
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, RESNET_NATIVE_CPU_ALLOCATOR: 'system' },
  });
  expect(Number(out.trim())).toBe(0);
});

it.runIf(SANITIZED)('under AddressSanitizer nothing is cached (it must see every block)', () => {
  console.log('[cpu cache] AddressSanitizer build: libtorch allocator runs, the cache cases did not run');
  zeros([floats(4)]).dispose();
  expect(cached()).toBe(0);
});
