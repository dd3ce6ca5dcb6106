/**
 * The Trainer's `amp` option against a hand-written PyTorch-style mixed-precision loop: forward
 * and loss under autocast, backward outside, GradScaler's step and update when there is one.
 * The captured (replayed) bfloat16 steps must give the eager loop's losses and weights bit for
 * bit; the scaler's state goes into checkpoints and comes back on resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  ArgumentError,
  DeviceError,
  DTypeError,
  GradScaler,
  autocast,
  cuda,
  data,
  manualSeed,
  nn,
  optim,
  randint,
  resnet20,
  tidy,
  version,
  type Tensor,
} from '../../lib/index.js';
import { Trainer } from '../../lib/train/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const dataset = (): data.TensorDataset => {
  manualSeed(21);
  const n = 64;
  return {
    kind: 'tensor',
    inputs: randint(0, 256, [n, 1, 12, 12], { dtype: 'uint8' }),
    targets: randint(0, 10, [n]),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    length: n,
  };
};

function setup(ds: data.TensorDataset) {
  manualSeed(3);
  const model = resnet20({ inChannels: 1 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const trainLoader = new data.DataLoader(ds, { batchSize: 16, shuffle: true, seed: 11 });
  return { model, optimizer, trainLoader, epochs: 1 };
}

const bits = (t: Tensor) => Array.from(new Uint8Array((t.dataSync() as Float32Array).slice().buffer));
const slow = 240_000;
const cpuBf16 = { deviceType: 'cpu', dtype: 'bfloat16' } as const;

/** The recipe of PyTorch's AMP examples, eagerly. */
async function eagerLoop(s: ReturnType<typeof setup>, scaler: GradScaler | null): Promise<number[]> {
  const losses: number[] = [];
  s.model.train();
  for await (const { input, target } of s.trainLoader.epoch(0)) {
    s.optimizer.zeroGrad();
    losses.push(
      tidy(() => {
        const loss = autocast(cpuBf16, () => nn.functional.crossEntropy(s.model.forward(input), target));
        (scaler?.scale(loss) ?? loss).backward();
        return loss.item();
      }),
    );
    if (scaler === null) s.optimizer.step();
    else {
      scaler.step(s.optimizer);
      scaler.update();
    }
    input.dispose();
    target.dispose();
  }
  return losses;
}

function expectSameWeights(a: ReturnType<typeof setup>, e: ReturnType<typeof setup>): void {
  const sa = a.model.stateDict();
  const se = e.model.stateDict();
  for (const k of Object.keys(se))
    if (se[k]!.dtype === 'float32') expect(bits(sa[k]!), k).toEqual(bits(se[k]!));
}

describe('Trainer amp', () => {
  it(
    'amp: true on CPU is bfloat16 autocast; captured steps equal the eager autocast loop bitwise',
    async () => {
      const ds = dataset();
      const eager = setup(ds);
      const eagerLosses = await eagerLoop(eager, null);
      const s = setup(ds);
      let forwards = 0;
      const forward = s.model.forward.bind(s.model);
      s.model.forward = (x: Tensor) => {
        forwards++;
        const out = forward(x);
        expect(out.dtype).toBe('bfloat16'); // the classifier ran in bfloat16: autocast was on
        return out;
      };
      const losses: number[] = [];
      await new Trainer({ ...s, amp: true, onBatch: (e) => losses.push(e.loss) }).fit();
      expect(forwards).toBe(2); // eager, captured, then replays of the recorded autocast steps
      expect(losses).toEqual(eagerLosses);
      expectSameWeights(s, eager);
    },
    slow,
  );

  it(
    'with a GradScaler: the eager loop’s losses and weights, and its state checkpointed and resumed',
    async () => {
      const ds = dataset();
      const scalerOptions = { device: 'cpu', initScale: 2 ** 10, growthInterval: 2 } as const;
      const eager = setup(ds);
      const eagerScaler = new GradScaler(scalerOptions);
      const eagerLosses = await eagerLoop(eager, eagerScaler);
      const s = setup(ds);
      const scaler = new GradScaler(scalerOptions);
      const outDir = mkdtempSync(join(tmpdir(), 'rn-amp-'));
      dirs.push(outDir);
      const losses: number[] = [];
      const trainer = new Trainer({
        ...s,
        outDir,
        amp: { dtype: 'bfloat16', scaler },
        onBatch: (e) => losses.push(e.loss),
      });
      await trainer.fit();
      expect(losses).toEqual(eagerLosses);
      expectSameWeights(s, eager);
      expect(scaler.stateDict()).toEqual(eagerScaler.stateDict());
      expect(scaler.getScale()).toBe(2 ** 12); // 4 clean steps, growth every 2
      const resumedScaler = new GradScaler({ device: 'cpu' });
      const r = setup(ds);
      await new Trainer({ ...r, amp: { scaler: resumedScaler } }).resume(trainer.checkpointPath!);
      expect(resumedScaler.stateDict()).toEqual(scaler.stateDict());
    },
    slow,
  );

  it('bad amp settings: clear errors before training', () => {
    const s = setup(dataset());
    expect(() => new Trainer({ ...s, amp: 'yes' as unknown as boolean })).toThrow(ArgumentError);
    if (version.libtorch.startsWith('1.'))
      expect(() => new Trainer({ ...s, amp: { dtype: 'float16' } })).toThrow(DTypeError);
    if (!cuda.isAvailable())
      expect(() => new Trainer({ ...s, device: 'cuda', amp: true })).toThrow(DeviceError);
  });
});
