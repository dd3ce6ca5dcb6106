/**
 * Whole networks against PyTorch at odd input sizes and batch sizes drawn per seed: torchvision's
 * resnet18 and resnet50, a grouped and dilated ResNet, and the CIFAR resnet20 (option A, option A
 * on grayscale, option B, plain). Then the initialization itself: after the same manualSeed a
 * fresh network holds the values torchvision's holds.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { manualSeed, type Tensor } from '../../lib/index.js';
import { relError, report, TOLERANCES } from '../helpers/compare.js';
import { announceSkip, deviceSkip, TEST_DEVICE } from '../helpers/device.js';
import { loadReference, tick, type Json } from '../helpers/reference.js';
import { buildModel, runCase } from './run_case.js';

const ref = await loadReference('nets');
const SLOW = 240_000;

describe.skipIf(announceSkip(deviceSkip, 'networks reference'))(
  `networks against torchvision / PyTorch on ${TEST_DEVICE}`,
  () => {
    afterAll(() => report(`networks, seed ${ref.seed}`));
    for (const cfg of ref.meta.cases as Json[]) {
      for (const kind of ['float64', 'float32'] as const) {
        it(
          `${cfg.name} ${JSON.stringify(cfg.options)} at [${cfg.input.join(', ')}], ${kind}`,
          async () => {
            await tick();
            runCase(ref, cfg, kind);
          },
          SLOW,
        );
      }
    }
  },
);

function values(t: Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
}

describe("initialization is torchvision's, draw for draw", () => {
  for (const [name, cfg] of Object.entries(ref.meta.init as Record<string, Json>)) {
    it(
      `${name} after manualSeed(${cfg.initSeed})`,
      () => {
        manualSeed(cfg.initSeed);
        const model = buildModel(cfg);
        try {
          const sd = model.stateDict();
          expect(Object.keys(sd)).toEqual(Object.keys(cfg.tensors));
          for (const [key, t] of Object.entries(sd)) {
            const fp = cfg.tensors[key];
            const v = values(t);
            expect(v.slice(0, 8), key).toEqual(fp.head);
            expect(v.slice(-8), key).toEqual(fp.tail);
            const sum = v.reduce((a, b) => a + b, 0);
            const sumsq = v.reduce((a, b) => a + b * b, 0);
            expect(relError([sum, sumsq], [fp.sum, fp.sumsq]), key).toBeLessThanOrEqual(
              TOLERANCES.fingerprintSum.rtol,
            );
            t.dispose();
          }
        } finally {
          model.dispose();
        }
      },
      SLOW,
    );
  }
});
