/**
 * The Tensor API a PyTorch user reaches for (issue 16): values from toArray() for every dtype,
 * NaN wherever PyTorch takes it, the dtype shorthands, and the argument checks of the new ops.
 * Their numbers are checked against PyTorch in test/ops.reference.test.ts.
 */
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  arange,
  capture,
  DTypeError,
  full,
  linspace,
  nn,
  tensor,
  where,
  zeros,
  type Tensor,
} from '../../lib/index.js';

const nanEverywhere = (t: Tensor): boolean => (t.toArray() as number[]).every(Number.isNaN);

describe('toArray() gives values', () => {
  it('decodes float16 and bfloat16 and gives booleans for bool', () => {
    expect(tensor([1.5, -0.25, 65504]).half().toArray()).toEqual([1.5, -0.25, 65504]);
    expect(
      tensor([1.5, -3, 2 ** -24])
        .to('float16')
        .toArray(),
    ).toEqual([1.5, -3, 2 ** -24]);
    expect(tensor([1.5, -3, 1032, 1033]).to('bfloat16').toArray()).toEqual([1.5, -3, 1032, 1032]);
    expect(tensor([NaN, Infinity, -Infinity]).half().toArray()).toEqual([NaN, Infinity, -Infinity]);
    expect(tensor([NaN, -Infinity]).to('bfloat16').toArray()).toEqual([NaN, -Infinity]);
    expect(tensor([[true, false]]).toArray()).toEqual([[true, false]]);
    expect(tensor([1, 0, 2]).bool().toArray()).toEqual([true, false, true]);
    expect(tensor([1, 2]).long().toArray()).toEqual([1n, 2n]);
  });
});

describe('NaN is a number, as in PyTorch', () => {
  it('is taken by full, fill_, add, maskedFill, clamp, where, pad, alpha and normal_ mean', () => {
    expect(nanEverywhere(full([2], NaN))).toBe(true);
    expect(nanEverywhere(zeros([2]).fill_(NaN))).toBe(true);
    expect(nanEverywhere(zeros([2]).add(NaN))).toBe(true);
    expect(nanEverywhere(zeros([2]).add(1, NaN))).toBe(true);
    expect(nanEverywhere(zeros([2]).maskedFill(tensor([true, true]), NaN))).toBe(true);
    expect(nanEverywhere(where(tensor([true, true]), NaN, 0))).toBe(true);
    expect(nanEverywhere(zeros([2]).normal_(NaN, 1))).toBe(true);
    expect(nn.functional.pad(zeros([1]), [1, 0], { value: NaN }).toArray()).toEqual([NaN, 0]);
    expect(linspace(NaN, 1, 2).toArray()).toEqual([NaN, NaN]);
    // libtorch 1.13's clamp with a NaN bound: whatever it gives, without an argument error
    expect(() => tensor([1, 2]).clamp(NaN, null)).not.toThrow();
    expect(() => tensor([1, 2]).clamp_(null, NaN)).not.toThrow();
  });

  it('is still refused where PyTorch refuses it, with the library message', () => {
    const nan = /Expected a number \(not NaN\) for (\w+) but received NaN/;
    expect(() => arange(0, NaN)).toThrow(nan);
    expect(() => arange(NaN)).toThrow(nan);
    expect(() => zeros([2]).uniform_(NaN, 1)).toThrow(nan);
    expect(() => zeros([2]).normal_(0, NaN)).toThrow(nan);
    expect(() => nn.functional.dropout(zeros([2]), { p: NaN })).toThrow(nan);
    expect(() => new nn.Dropout(NaN)).toThrow(ArgumentError);
    expect(() => zeros([2]).add('1' as never)).toThrow(/for other but received "1"/);
    expect(() => full([2], '1' as never)).toThrow(/Expected a number for value/);
  });
});

describe('dtype shorthands', () => {
  it('converts as to() does', () => {
    const x = tensor([1.7, -2.2, 0]);
    expect(x.int().dtype).toBe('int32');
    expect(x.int().toArray()).toEqual([1, -2, 0]);
    expect(x.long().dtype).toBe('int64');
    expect(x.float().dtype).toBe('float32');
    expect(x.double().float().dtype).toBe('float32');
    expect(x.bool().toArray()).toEqual([true, true, false]);
    expect(x.half().dtype).toBe('float16');
  });
});

describe('argument checks of the new ops', () => {
  const x = arange(6, { dtype: 'float32' }).reshape([2, 3]);
  it('refuses wrong index, mask and tolerance arguments in the library words', () => {
    expect(() => x.scatter(0, tensor([[0, 1, 0]], { dtype: 'int32' }), 1)).toThrow(DTypeError);
    expect(() => x.scatter(1.5, tensor([[0n]]), 1)).toThrow(/Expected an integer for dim/);
    expect(() => x.scatter(0, tensor([[0n]]), '1' as never)).toThrow(/for src/);
    expect(() => x.maskedSelect(tensor([1, 0, 1]))).toThrow(/Expected a bool tensor for mask/);
    expect(() => x.index(tensor([0.5]))).toThrow(/Expected a bool mask or an int64 tensor for indices/);
    expect(() => x.isclose(x, { rtol: -1 })).toThrow(/Expected a non-negative number for rtol/);
    expect(() => x.allclose(x, { equalNan: 1 as never })).toThrow(/Expected a boolean for equalNan/);
    expect(() => x.mm(x.double())).toThrow(DTypeError);
    expect(() => x.slice(0, 0.5)).toThrow(/Expected an integer for start/);
  });

  it('slices with an open end and a negative start, as Python does', () => {
    const v = arange(5);
    expect(v.slice(0, 2).toArray()).toEqual([2n, 3n, 4n]);
    expect(v.slice(0, -2).toArray()).toEqual([3n, 4n]);
    expect(v.slice(0, null, -1).toArray()).toEqual([0n, 1n, 2n, 3n]);
    expect(v.slice(0, undefined, undefined, 2).toArray()).toEqual([0n, 2n, 4n]);
    expect(x.slice(1, 1).shape).toEqual([2, 2]);
  });

  it('allclose reads a value, which a capture refuses; data-dependent shapes replay', async () => {
    expect(x.allclose(x.add(1e-9))).toBe(true);
    expect(x.allclose(x.add(1))).toBe(false);
    expect(tensor([NaN]).allclose(tensor([NaN]), { equalNan: true })).toBe(true);
    expect(() =>
      capture(
        [x],
        () => x.allclose(x),
        () => [],
      ),
    ).toThrow(/allclose/);
    const input = tensor([1, 0, 2, 0]);
    const { program } = capture(
      [input],
      () => {
        const mask = input.gt(0);
        return [input.nonzero(), input.maskedSelect(mask), input.index(mask)];
      },
      (outs) => outs,
    );
    const [nz, sel, idx] = (await program.run([tensor([0, 3, 0, 0])])).outputs;
    expect(nz!.toArray()).toEqual([[1n]]);
    expect(sel!.toArray()).toEqual([3]);
    expect(idx!.toArray()).toEqual([3]);
    program.dispose();
  });
});

describe('dtype mistakes say what to convert', () => {
  it('uint8 images, float labels and mixed dtypes', () => {
    const images = zeros([2, 1, 4, 4], { dtype: 'uint8' });
    const conv = new nn.Conv2d(1, 2, 3);
    expect(() => conv.forward(images)).toThrow(
      /dtype uint8: convert it first, e\.g\. x\.float\(\)\.div\(255\)/,
    );
    const logits = zeros([2, 3]);
    expect(() => nn.functional.crossEntropy(logits, zeros([2]))).toThrow(
      /int64 tensor for target .*\.to\('int64'\)/,
    );
    expect(() => conv.forward(zeros([2, 1, 4, 4], { dtype: 'float64' }))).toThrow(
      /convert one of them with \.to\('float64'\)/,
    );
  });
});
