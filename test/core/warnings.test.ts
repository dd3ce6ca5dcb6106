// libtorch's warnings reach JavaScript as Node warnings (process 'warning' events), not as glog
// lines on stderr. The public API refuses the inputs that make libtorch warn (uint8 masks), so
// the native binding is called directly here.
import { describe, expect, it } from 'vitest';

import { native } from '../../lib/binding.js';
import { DTypeError, tensor, where } from '../../lib/index.js';
import { handleOf } from '../../lib/tensor.js';

async function warningsDuring(fn: () => void): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (w: Error) => seen.push(w);
  process.on('warning', listener);
  try {
    fn();
    // process.emitWarning delivers on the next tick
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('libtorch warnings', () => {
  it('become TorchWarning events with libtorch message', async () => {
    const x = tensor([1, 2, 3]);
    const mask = tensor(new Uint8Array([1, 0, 1]));
    const seen = await warningsDuring(() => {
      const out = native.where(handleOf(mask, 'mask'), handleOf(x, 'x'), 0);
      native.dispose(out);
    });
    expect(seen.map((w) => w.name)).toEqual(['TorchWarning']);
    expect(seen[0]!.message).toContain('where received a uint8 condition tensor');
  });

  it('are not raised for calls that do not warn', async () => {
    const x = tensor([1, 2, 3]);
    const seen = await warningsDuring(() => where(x.gt(1), x, 0));
    expect(seen).toEqual([]);
  });

  it('uint8 masks are refused by the public API with the conversion to make', () => {
    const x = tensor([1, 2, 3]);
    const mask = tensor(new Uint8Array([1, 0, 1]));
    expect(() => where(mask, x, 0)).toThrow(DTypeError);
    expect(() => where(mask, x, 0)).toThrow("convert it with .to('bool')");
    expect(() => x.maskedFill(mask, 0)).toThrow(DTypeError);
    expect(where(mask.to('bool'), true, false).toArray()).toEqual([true, false, true]);
  });
});
