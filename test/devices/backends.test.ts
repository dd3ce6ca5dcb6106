/**
 * `backends` and deterministic algorithms: libtorch's global flags, readable and settable with
 * any libtorch (on a CPU-only one they are only flags), and refused inside a capture.
 */
import { describe, expect, it } from 'vitest';

import {
  ArgumentError,
  areDeterministicAlgorithmsEnabled,
  backends,
  capture,
  randn,
  useDeterministicAlgorithms,
} from '../../lib/index.js';

describe('backends', () => {
  it("reads PyTorch's defaults and sets each flag, giving it back after", () => {
    // torch.backends' defaults: cudnn on, no benchmark, not deterministic, TF32 in cuDNN only.
    expect(backends.cudnn.enabled).toBe(true);
    expect(backends.cudnn.benchmark).toBe(false);
    expect(backends.cudnn.deterministic).toBe(false);
    expect(backends.cudnn.allowTF32).toBe(true);
    expect(backends.cuda.matmul.allowTF32).toBe(false);
    const flags = [
      [backends.cudnn, 'enabled'],
      [backends.cudnn, 'benchmark'],
      [backends.cudnn, 'deterministic'],
      [backends.cudnn, 'allowTF32'],
      [backends.cuda.matmul, 'allowTF32'],
    ] as const;
    for (const [owner, key] of flags) {
      const before = (owner as Record<string, boolean>)[key]!;
      (owner as Record<string, boolean>)[key] = !before;
      expect((owner as Record<string, boolean>)[key]).toBe(!before);
      (owner as Record<string, boolean>)[key] = before;
      expect((owner as Record<string, boolean>)[key]).toBe(before);
    }
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => ((backends.cudnn as { benchmark: unknown }).benchmark = 1)).toThrow(
      /Expected a boolean for backends.cudnn.benchmark but received 1 of type number/,
    );
  });

  it('turns deterministic algorithms on and off (warnOnly too)', () => {
    expect(areDeterministicAlgorithmsEnabled()).toBe(false);
    useDeterministicAlgorithms(true, { warnOnly: true });
    expect(areDeterministicAlgorithmsEnabled()).toBe(true);
    useDeterministicAlgorithms(false);
    expect(areDeterministicAlgorithmsEnabled()).toBe(false);
    expect(() => useDeterministicAlgorithms('yes' as unknown as boolean)).toThrow(ArgumentError);
  });

  it('refuses a change inside a capture, which a replay would not repeat', () => {
    const x = randn([2]);
    expect(() =>
      capture(
        [x],
        () => {
          backends.cudnn.benchmark = true;
          return x.relu();
        },
        (y) => [y],
      ),
    ).toThrow(/Cannot capture setBackendFlag\(\)/);
    expect(backends.cudnn.benchmark).toBe(false);
  });
});
