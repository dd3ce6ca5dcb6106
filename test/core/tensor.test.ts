import { describe, expect, it } from 'vitest';
import {
  arange,
  cat,
  DTypeError,
  ones,
  ShapeError,
  stack,
  tensor,
  zeros,
  type Tensor,
} from '../../lib/index.js';

/** Values as plain numbers (or bigints for int64). */
const vals = (t: Tensor): Array<number | bigint> => Array.from(t.dataSync() as ArrayLike<number | bigint>);

describe('tensor creation and readback', () => {
  it('keeps the dtype of each TypedArray', () => {
    expect(tensor(new Float32Array([1, 2])).dtype).toBe('float32');
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new BigInt64Array([1n, 2n])).dtype).toBe('int64');
    expect(tensor(new Uint8Array([1, 0]), { dtype: 'bool' }).dtype).toBe('bool');
  });

  it('round-trips values through dataSync, data and item', async () => {
    const t = tensor(new Float64Array([1.5, -2.25, 3, 4]), { shape: [2, 2] });
    expect(t.shape).toEqual([2, 2]);
    expect(vals(t)).toEqual([1.5, -2.25, 3, 4]);
    expect(Array.from(await t.data())).toEqual([1.5, -2.25, 3, 4]);
    expect(t.sum().item()).toBe(6.25);
    expect(vals(tensor([true, false]))).toEqual([1, 0]);
    expect(vals(tensor([1n, -2n]))).toEqual([1n, -2n]);
  });

  it('infers the shape of nested arrays and refuses ragged ones', () => {
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).shape,
    ).toEqual([2, 3]);
    expect(tensor(7).shape).toEqual([]);
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(
      /5 elements of float32 but shape needs 4/,
    );
  });

  it('converts dtypes', () => {
    const t = tensor([1.7, -2.2], { dtype: 'int32' });
    expect(t.dtype).toBe('int32');
    expect(vals(t)).toEqual([1, -2]);
    expect(tensor([1, 2]).to('float16').to('float32').dataSync()).toEqual(new Float32Array([1, 2]));
    expect(() => tensor([1]).to('float8' as never)).toThrow(DTypeError);
  });

  it('reshapes, permutes and joins', () => {
    const t = arange(24).reshape([2, 3, 4]);
    expect(t.dtype).toBe('int64');
    expect(t.permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(t.flatten(1).shape).toEqual([2, 12]);
    expect(t.reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(cat([zeros([2, 3]), ones([1, 3])]).shape).toEqual([3, 3]);
    expect(stack([zeros([2]), ones([2])], 1).shape).toEqual([2, 2]);
    expect(t.toArray()).toEqual([
      [
        [0n, 1n, 2n, 3n],
        [4n, 5n, 6n, 7n],
        [8n, 9n, 10n, 11n],
      ],
      [
        [12n, 13n, 14n, 15n],
        [16n, 17n, 18n, 19n],
        [20n, 21n, 22n, 23n],
      ],
    ]);
  });

  it('broadcasts arithmetic and keeps integer dtypes for integer scalars', () => {
    const a = tensor([[1], [2]]);
    const b = tensor([10, 20, 30]);
    expect(vals(a.add(b))).toEqual([11, 21, 31, 12, 22, 32]);
    expect(arange(3).add(2).dtype).toBe('int64');
    expect(arange(3).add(2.5).dtype).toBe('float32');
    expect(vals(b.sub(a, 2))).toEqual([8, 18, 28, 6, 16, 26]);
  });

  it('reduces and sorts', () => {
    const t = tensor([
      [3, 1, 2],
      [9, 7, 8],
    ]);
    expect(vals(t.sum(1))).toEqual([6, 24]);
    expect(vals(t.mean(0, true))).toEqual([6, 4, 5]);
    expect(t.mean(0, true).shape).toEqual([1, 3]);
    const { values, indices } = t.topk(2, { dim: 1 });
    expect(vals(values)).toEqual([3, 2, 9, 8]);
    expect(vals(indices)).toEqual([0n, 2n, 0n, 2n]);
    expect(vals(t.argmax(1))).toEqual([0n, 0n]);
    expect(t.max().item()).toBe(9);
  });

  it('computes gradients through libtorch autograd', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(vals(x.grad!)).toEqual([2, 4, 6]);
    x.grad = null;
    expect(x.grad).toBeNull();
    expect(x.detach().requiresGrad).toBe(false);
  });
});
