/**
 * BasicBlock and Bottleneck in every shortcut case against torchvision's: outputs in eval and
 * training mode, loss, gradients of the input and of every parameter, and the running
 * statistics after a training forward, each against PyTorch's run in the same dtype, element by
 * element (test/tolerances.json).
 */
import { afterAll, describe, it } from 'vitest';

import { report } from '../helpers/compare.js';
import { announceSkip, deviceSkip, TEST_DEVICE } from '../helpers/device.js';
import { loadReference, tick, type Json } from '../helpers/reference.js';
import { runCase } from './run_case.js';

const ref = await loadReference('blocks');

describe.skipIf(announceSkip(deviceSkip, 'blocks reference'))(
  `residual blocks against torchvision on ${TEST_DEVICE}`,
  () => {
    afterAll(() => report(`blocks, seed ${ref.seed}`));
    for (const cfg of ref.meta.cases as Json[]) {
      const what = `${cfg.block}(${cfg.inplanes}, ${cfg.planes}, stride ${cfg.stride}${cfg.downsample ? ', projection' : ''}) at [${cfg.input.join(', ')}]`;
      for (const kind of ['float64', 'float32'] as const) {
        it(`${cfg.name}: ${what}, ${kind}`, async () => {
          await tick();
          runCase(ref, cfg, kind);
        });
      }
    }
  },
);
