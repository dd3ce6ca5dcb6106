/**
 * The addon's last line of defence for integers: every integer a native entry point reads
 * (single values, lists, per-call number slots) is a finite, whole number within ±(2^53 - 1),
 * or the call throws ArgumentError; no cast of 1e300 to int64 (undefined behaviour), no silent
 * truncation of 2.5. The calls go to the addon directly, past lib/'s friendlier checks.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, zeros } from '../../lib/index.js';
import { native } from '../../lib/binding.js';
import { handleOf } from '../../lib/tensor.js';

const bad = [2 ** 53, -(2 ** 53), 1e300, -1e300, 2.5, NaN, Infinity, -Infinity];

describe('native integer arguments', () => {
  it.each(bad)('IntList refuses %s', (v) => {
    const t = zeros([2, 3]);
    expect(() => native.reshape(handleOf(t, 't'), [v])).toThrow(ArgumentError);
    expect(() => native.reshape(handleOf(t, 't'), [v])).toThrow(/Expected an array of integers for shape/);
    expect(() => native.permute(handleOf(t, 't'), [0, v])).toThrow(ArgumentError);
    t.dispose();
  });

  it.each(bad)('a single integer refuses %s', (v) => {
    const t = zeros([2, 3]);
    expect(() => native.transpose(handleOf(t, 't'), 0, v)).toThrow(ArgumentError);
    t.dispose();
  });

  it('the largest safe integers pass the reader (libtorch then judges them)', () => {
    const t = zeros([2, 3]);
    expect(() => native.reshape(handleOf(t, 't'), [2 ** 53 - 1])).not.toThrow(ArgumentError);
    const reshaped = native.reshape(handleOf(t, 't'), [-1]);
    expect(native.shape(reshaped)).toEqual([6]);
    native.dispose(reshaped);
    t.dispose();
  });

  it.each([2.5, 1e300, -1, NaN, 'one'])('a per-call number slot refuses %s', (slot) => {
    const t = zeros([2]);
    native.beginCapture([handleOf(t, 't')], 4);
    try {
      expect(() => native.mul(handleOf(t, 't'), { dynamicSlot: slot, value: 2 } as never)).toThrow(
        ArgumentError,
      );
    } finally {
      native.endCapture([], null);
      t.dispose();
    }
  });
});
