/**
 * autocast's contract beyond the reference values: nesting, enabled: false, exception safety,
 * the state after fn, async functions, and clear errors for what libtorch would refuse or ignore.
 */
import { describe, expect, it } from 'vitest';

import {
  DeviceError,
  DTypeError,
  ArgumentError,
  amp,
  autocast,
  capture,
  cuda,
  isAutocastEnabled,
  noGrad,
  randn,
  nn,
  version,
} from '../../lib/index.js';

const x = randn([3, 4]);
const w = randn([2, 4]);
const linear = () => nn.functional.linear(x, w);

describe('autocast', () => {
  it('returns fn’s result and restores the state after, even when fn throws', () => {
    expect(autocast({ deviceType: 'cpu' }, () => 42)).toBe(42);
    expect(isAutocastEnabled('cpu')).toBe(false);
    expect(() =>
      autocast({ deviceType: 'cpu' }, () => {
        expect(isAutocastEnabled('cpu')).toBe(true);
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(isAutocastEnabled('cpu')).toBe(false);
    expect(linear().dtype).toBe('float32');
  });

  it('nests, and enabled: false turns it off inside an enabled region', () => {
    autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => {
      expect(linear().dtype).toBe('bfloat16');
      autocast({ deviceType: 'cpu', enabled: false }, () => {
        expect(isAutocastEnabled('cpu')).toBe(false);
        expect(linear().dtype).toBe('float32');
      });
      expect(isAutocastEnabled('cpu')).toBe(true);
      expect(linear().dtype).toBe('bfloat16');
    });
    expect(linear().dtype).toBe('float32');
  });

  it('default dtypes are PyTorch’s: bfloat16 on CPU, float16 on CUDA', () => {
    expect(amp.defaultAutocastDType).toEqual({ cpu: 'bfloat16', cuda: 'float16' });
    expect(autocast({ deviceType: 'cpu' }, linear).dtype).toBe('bfloat16');
  });

  it('refuses an async function, whose code after an await would run without autocast', () => {
    expect(() => autocast({ deviceType: 'cpu' }, async () => 1)).toThrow(ArgumentError);
    expect(() => autocast({ deviceType: 'cpu' }, async () => 1)).toThrow(/synchronous function/);
    expect(isAutocastEnabled('cpu')).toBe(false);
  });

  it('covers the synchronous part of a function that returns a promise', async () => {
    const result = autocast({ deviceType: 'cpu' }, () => Promise.resolve(linear()));
    expect(isAutocastEnabled('cpu')).toBe(false);
    expect((await result).dtype).toBe('bfloat16');
  });

  it('bad deviceType: DeviceError naming what it expects', () => {
    for (const bad of ['gpu', 'cuda:0', 3, undefined]) {
      expect(() => autocast({ deviceType: bad as 'cpu' }, linear)).toThrow(DeviceError);
      expect(() => autocast({ deviceType: bad as 'cpu' }, linear)).toThrow(
        /Expected 'cpu' or 'cuda' for deviceType/,
      );
    }
  });

  it('bad dtype and bad fn: clear errors', () => {
    expect(() => autocast({ deviceType: 'cpu', dtype: 'float32' as 'bfloat16' }, linear)).toThrow(DTypeError);
    expect(() => autocast({ deviceType: 'cpu' }, 3 as unknown as () => void)).toThrow(ArgumentError);
    expect(() => autocast({ deviceType: 'cpu', enabled: 'yes' as unknown as boolean }, linear)).toThrow(
      /for enabled/,
    );
  });

  it('float16 on CPU: supported from libtorch 2.4, an error (not a silent float32 run) before', () => {
    const cpuHalf = !version.libtorch.startsWith('1.') && !/^2\.[0-3]\./.test(version.libtorch);
    if (cpuHalf) {
      expect(autocast({ deviceType: 'cpu', dtype: 'float16' }, linear).dtype).toBe('float16');
    } else {
      expect(() => autocast({ deviceType: 'cpu', dtype: 'float16' }, linear)).toThrow(DTypeError);
      expect(() => autocast({ deviceType: 'cpu', dtype: 'float16' }, linear)).toThrow(
        `Expected 'bfloat16' for CPU autocast with libtorch ${version.libtorch} but received 'float16'`,
      );
    }
    expect(isAutocastEnabled('cpu')).toBe(false);
  });

  it("'cuda' without a CUDA device: DeviceError saying so and which libtorch", () => {
    if (cuda.isAvailable()) {
      console.log('[autocast] a CUDA device is present: the no-CUDA error path did not run');
      expect(autocast({ deviceType: 'cuda' }, () => isAutocastEnabled('cuda'))).toBe(true);
      return;
    }
    expect(() => autocast({ deviceType: 'cuda' }, linear)).toThrow(DeviceError);
    expect(() => autocast({ deviceType: 'cuda' }, linear)).toThrow(
      new RegExp(`no CUDA device is available \\(libtorch ${version.libtorch.replace(/\./g, '\\.')}`),
    );
    // Disabled, it needs no device (code written as autocast({ deviceType: 'cuda', enabled: useAmp }, ...)).
    expect(autocast({ deviceType: 'cuda', enabled: false }, linear).dtype).toBe('float32');
  });

  it('a capture that enters autocast midway replays the same casts', async () => {
    const input = randn([3, 4]);
    const w2 = randn([2, 2]);
    const { result, program } = noGrad(() =>
      capture(
        [input],
        () => {
          const h = nn.functional.linear(input, w); // float32
          const low = autocast({ deviceType: 'cpu' }, () => nn.functional.linear(h, w2));
          return [h, low] as const;
        },
        (r) => [...r],
      ),
    );
    expect(result.map((t) => t.dtype)).toEqual(['float32', 'bfloat16']);
    const { outputs } = await program.run([input]);
    expect(outputs.map((t) => t!.dtype)).toEqual(['float32', 'bfloat16']);
    expect(Array.from(outputs[1]!.float().dataSync())).toEqual(Array.from(result[1].float().dataSync()));
    expect(isAutocastEnabled('cpu')).toBe(false);
    program.dispose();
  });
});
