/**
 * BatchNorm2d's options against PyTorch: the cumulative average (momentum null), no affine
 * parameters, no running statistics, other momentum and eps; three training steps then eval.
 */
import { describe, expect, it } from 'vitest';

import { nn, noGrad, ShapeError, tensor, zeros, type Tensor } from '../../lib/index.js';
import { expectClose, TOLERANCES } from '../helpers/compare.js';
import { loadReference, type Json } from '../helpers/reference.js';

const ref = await loadReference('init');
const cases = ref.meta.initFunctions.batchnorm as Json[];
const SHAPE = [4, 3, 5, 6];

const t64 = (v: number[], shape: number[]): Tensor => tensor(Float64Array.from(v), { shape });

describe('BatchNorm2d against torch.nn.BatchNorm2d (float64)', () => {
  for (const c of cases) {
    it(JSON.stringify(c.options), () => {
      const o = c.options;
      const bn = new nn.BatchNorm2d(3, {
        ...(o.momentum !== undefined ? { momentum: o.momentum } : {}),
        ...(o.eps !== undefined ? { eps: o.eps } : {}),
        ...(o.affine !== undefined ? { affine: o.affine } : {}),
        ...(o.track_running_stats !== undefined ? { trackRunningStats: o.track_running_stats } : {}),
      }).to('float64');
      const sd = Object.fromEntries(
        Object.entries(c.state as Record<string, number[]>).map(([k, v]) => [
          k,
          t64(v, k === 'num_batches_tracked' ? [] : [3]),
        ]),
      );
      // Affine parameters as PyTorch drew them; running statistics from their initial values.
      noGrad(() => {
        bn.weight?.copy_(sd['weight']!);
        bn.bias?.copy_(sd['bias']!);
      });
      c.inputs.forEach((x: number[], i: number) => {
        const y = noGrad(() => bn.forward(t64(x, SHAPE)));
        expectClose(y, t64(c.train[i], SHAPE), TOLERANCES.float64, `step ${i}`);
      });
      const ours = bn.stateDict();
      expect(Object.keys(ours)).toEqual(Object.keys(c.state));
      for (const [k, v] of Object.entries(ours)) {
        expectClose(v.to('float64'), sd[k]!, TOLERANCES.float64, k);
      }
      bn.eval();
      const y = noGrad(() => bn.forward(t64(c.inputs[0], SHAPE)));
      expectClose(y, t64(c.eval, SHAPE), TOLERANCES.float64, 'eval');
    });
  }

  it('counts batches only in training, and refuses inputs that are not 4D', () => {
    const bn = new nn.BatchNorm2d(2);
    expect(bn.numBatchesTracked!.dtype).toBe('int64');
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    noGrad(() => bn.forward(zeros([2, 2, 3, 3])));
    noGrad(() => bn.eval().forward(zeros([2, 2, 3, 3])));
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(() => bn.forward(zeros([2, 2, 3]))).toThrow(ShapeError);
    expect(() => new nn.BatchNorm2d(0)).toThrow(/numFeatures/);
  });
});
