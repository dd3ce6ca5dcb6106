/**
 * dist.DistributedSampler gives each rank exactly the indices torch.utils.data.DistributedSampler
 * gives it: for datasets divisible by the world size or not, smaller than it, shuffled or not,
 * padded or trimmed, over several epochs (PyTorch's set_epoch). Sizes and seeds come from the
 * reference harness's seed.
 */
import { describe, expect, it } from 'vitest';
import { dist } from '../../lib/index.js';
import { loadReference } from '../helpers/reference.js';

interface Case {
  n: number;
  replicas: number;
  rank: number;
  shuffle: boolean;
  seed: number;
  epoch: number;
  drop_last: boolean;
  indices: number[];
}

describe('DistributedSampler against PyTorch', () => {
  it('gives every rank PyTorch’s indices in every epoch', { timeout: 120_000 }, async () => {
    const ref = await loadReference('sampler');
    const cases = ref.meta.cases as Case[];
    expect(cases.length).toBeGreaterThan(500);
    for (const c of cases) {
      const sampler = new dist.DistributedSampler(c.n, {
        numReplicas: c.replicas,
        rank: c.rank,
        shuffle: c.shuffle,
        seed: c.seed,
        dropLast: c.drop_last,
      });
      const label = JSON.stringify({ ...c, indices: undefined });
      expect(Array.from(sampler.indices(c.epoch)), label).toEqual(c.indices);
      expect(sampler.length, label).toBe(c.indices.length);
    }
  });

  it('rejects a rank outside the world', () => {
    expect(() => new dist.DistributedSampler(10, { numReplicas: 2, rank: 2 })).toThrow(
      /Expected rank to be in \[0, 1\] but received 2/,
    );
  });
});
