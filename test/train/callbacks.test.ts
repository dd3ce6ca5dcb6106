/**
 * The Trainer's callbacks, early stopping, best checkpoint, custom loss and metrics, gradient
 * clipping and EMA in the captured step, and its TensorBoard event files, read back by a
 * TFRecord/protobuf reader written here (independent of the writer's encoder).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { data, load, manualSeed, nn, noGrad, optim, randint, tidy, type Tensor } from '../../lib/index.js';
import {
  BestCheckpoint,
  EarlyStopping,
  ExponentialMovingAverage,
  Trainer,
  type Callback,
  type TrainerOptions,
} from '../../lib/train/index.js';
import { crc32c } from '../../lib/train/tfrecord.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-callbacks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const net = () =>
  new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { bias: false }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1),
    new nn.Flatten(),
    new nn.Linear(4, 4),
  );
function tiny(overrides: Partial<TrainerOptions> = {}) {
  manualSeed(1);
  const dataset: data.TensorDataset = {
    kind: 'tensor',
    inputs: randint(0, 256, [64, 1, 8, 8], { dtype: 'uint8' }),
    targets: randint(0, 4, [64]),
    classes: ['a', 'b', 'c', 'd'],
    length: 64,
  };
  const model = net();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loader = new data.DataLoader(dataset, { batchSize: 16 });
  const options: TrainerOptions = {
    model,
    optimizer,
    trainLoader: loader,
    evalLoader: loader,
    epochs: 3,
    ...overrides,
  };
  return { model, optimizer, loader, options };
}

describe('callbacks', () => {
  it('begin and end events, in order and awaited', async () => {
    const events: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => void events.push('train+'),
      onEpochBegin: async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        events.push(`epoch${e}+`);
      },
      onBatchBegin: (e) => void events.push(`b${e.batch}+`),
      onBatchEnd: (e) => void events.push(`b${e.batch}-`),
      onEpochEnd: (r) => void events.push(`epoch${r.epoch}-`),
      onTrainEnd: (_t, h) => void events.push(`train-${h.length}`),
    };
    await new Trainer({ ...tiny().options, epochs: 1, callbacks: [cb] }).fit();
    expect(events).toEqual([
      'train+',
      'epoch1+',
      'b1+',
      'b1-',
      'b2+',
      'b2-',
      'b3+',
      'b3-',
      'b4+',
      'b4-',
      'epoch1-',
      'train-1',
    ]);
  });

  it('stop() from a batch ends training after that batch, with the epoch recorded', async () => {
    const t = tiny();
    const trainer = new Trainer({
      ...t.options,
      callbacks: [{ onBatchEnd: (e, tr) => (e.epoch === 2 && e.batch === 2 ? tr.stop() : undefined) }],
    });
    const history = await trainer.fit();
    expect(history).toHaveLength(2);
    expect(history[1]!.train.images).toBe(32);
    expect(trainer.stopped).toBe(true);
  });

  it('EarlyStopping stops once the metric has not improved for `patience` epochs', async () => {
    const stopper = new EarlyStopping({ monitor: 'train.loss', patience: 1, minDelta: 1e9 });
    const history = await new Trainer({ ...tiny().options, epochs: 5, callbacks: [stopper] }).fit();
    expect(history).toHaveLength(2); // epoch 1 sets the best; epoch 2 cannot beat it by 1e9
    expect(stopper.stoppedEpoch).toBe(2);
  });

  it('BestCheckpoint keeps the weights of the best epoch', async () => {
    const out = join(dir, 'best');
    const best = new BestCheckpoint({ monitor: 'eval.loss' });
    const t = tiny({ outDir: out, tensorboard: false });
    const snapshots: Array<Record<string, Float32Array>> = [];
    const keep: Callback = {
      onEpochEnd: (_r, tr) => {
        const sd = tr.options.model.stateDict();
        snapshots.push(
          Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.dataSync() as Float32Array])),
        );
      },
    };
    const history = await new Trainer({ ...t.options, callbacks: [best, keep] }).fit();
    const losses = history.map((r) => r.eval!.loss);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    expect(best.bestEpoch).toBe(bestEpoch);
    const saved = await load(join(out, 'best.safetensors'));
    expect(Array.from(saved['5.weight']!.dataSync() as Float32Array)).toEqual(
      Array.from(snapshots[bestEpoch - 1]!['5.weight']!),
    );
  });

  it('a custom loss and custom metrics; the lr of every batch', async () => {
    const lrs: number[] = [];
    const t = tiny({ epochs: 1 });
    const scheduler = new optim.lrScheduler.OneCycleLR(t.optimizer, { maxLr: 0.1, totalSteps: 4 });
    const history = await new Trainer({
      ...t.options,
      scheduler,
      loss: (logits, y) => tidy(() => nn.functional.crossEntropy(logits, y).mul(2)),
      metrics: { one: () => 1, meanTarget: (_l, y) => y.to('float32').mean().item() as number },
      onBatch: (e) => lrs.push(e.lr),
    }).fit();
    expect(history[0]!.train.custom!['one']).toBe(1);
    expect(history[0]!.eval!.custom!['one']).toBe(1);
    const mean = noGrad(() => (t.loader.dataset as data.TensorDataset).targets.to('float32').mean().item());
    expect(history[0]!.eval!.custom!['meanTarget']).toBeCloseTo(mean as number, 6);
    expect(lrs).toHaveLength(4);
    expect(new Set(lrs).size).toBe(4); // OneCycle's rates, one per batch, as the step used them
  });
});

const bits = (t: Tensor) => Array.from(new Uint8Array((t.dataSync() as Float32Array).slice().buffer));

describe('clipping and EMA in the captured step', () => {
  it('clipGradNorm and ema: captured training bitwise equal to captureSteps: false', async () => {
    const run = async (captureSteps: boolean) => {
      const t = tiny({ epochs: 2 });
      const average = new ExponentialMovingAverage(net(), 0.9);
      await new Trainer({
        ...t.options,
        captureSteps,
        clipGradNorm: 0.05,
        ema: { average, steps: 2, warmupEpochs: 1 },
      }).fit();
      return { model: t.model, ema: average.module };
    };
    const a = await run(true);
    const b = await run(false);
    for (const [k, v] of Object.entries(b.model.stateDict()))
      if (v.dtype === 'float32') expect(bits(a.model.stateDict()[k]!), k).toEqual(bits(v));
    for (const [k, v] of Object.entries(b.ema.stateDict()))
      if (v.dtype === 'float32') expect(bits(a.ema.stateDict()[k]!), `ema ${k}`).toEqual(bits(v));
  }, 120_000);

  it('clipping changes the update (a tiny norm makes the step tiny)', async () => {
    const t = tiny({ epochs: 1 });
    const before = t.model.stateDict()['5.weight']!.clone();
    await new Trainer({ ...t.options, clipGradNorm: 1e-6, evalLoader: undefined as never }).fit();
    const change = noGrad(() => t.model.stateDict()['5.weight']!.sub(before).abs().max().item() as number);
    expect(change).toBeLessThan(1e-5);
    expect(change).toBeGreaterThan(0);
  });
});

/** Reads a TensorBoard event file: TFRecord frames (CRCs checked), Event and Summary protobufs. */
function readEvents(path: string) {
  const buf = readFileSync(path);
  const masked = (b: Uint8Array) => {
    const c = crc32c(b);
    return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
  };
  const events: Array<{
    wallTime: number;
    step: number;
    fileVersion?: string;
    scalars: Record<string, number>;
  }> = [];
  let off = 0;
  while (off < buf.length) {
    const len = Number(buf.readBigUInt64LE(off));
    expect(buf.readUInt32LE(off + 8)).toBe(masked(buf.subarray(off, off + 8)));
    const body = buf.subarray(off + 12, off + 12 + len);
    expect(buf.readUInt32LE(off + 12 + len)).toBe(masked(body));
    off += 16 + len;
    events.push(parseEvent(body));
  }
  return events;
}
function fields(b: Buffer): Array<{ field: number; wire: number; value: Buffer | bigint; at: number }> {
  const out: Array<{ field: number; wire: number; value: Buffer | bigint; at: number }> = [];
  let i = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const byte = b[i++]!;
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return v;
    }
  };
  while (i < b.length) {
    const k = Number(varint());
    const field = k >> 3;
    const wire = k & 7;
    const at = i;
    if (wire === 0) out.push({ field, wire, value: varint(), at });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4; // fixed64, fixed32
      out.push({ field, wire, value: b.subarray(i, i + n), at });
      i += n;
    } else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: b.subarray(i, i + n), at });
      i += n;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}
function parseEvent(b: Buffer) {
  const e = { wallTime: 0, step: 0, scalars: {} as Record<string, number> } as ReturnType<
    typeof readEvents
  >[number];
  for (const f of fields(b)) {
    if (f.field === 1) e.wallTime = (f.value as Buffer).readDoubleLE(0);
    if (f.field === 2) e.step = Number(f.value);
    if (f.field === 3) e.fileVersion = (f.value as Buffer).toString('utf8');
    if (f.field === 5)
      for (const v of fields(f.value as Buffer)) {
        let tag = '';
        let value = NaN;
        for (const g of fields(v.value as Buffer)) {
          if (g.field === 1) tag = (g.value as Buffer).toString('utf8');
          if (g.field === 2) value = (g.value as Buffer).readFloatLE(0);
        }
        e.scalars[tag] = value;
      }
  }
  return e;
}

describe('TensorBoard event files', () => {
  it('crc32c is the Castagnoli CRC (its standard check value)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('events.out.tfevents.* beside metrics.jsonl: loss and lr per step, loss and accuracy per epoch', async () => {
    const out = join(dir, 'tb');
    const t = tiny({ epochs: 2, outDir: out });
    const batchLosses: number[] = [];
    const history = await new Trainer({ ...t.options, onBatch: (e) => batchLosses.push(e.loss) }).fit();
    const files = readdirSync(out).filter((f) => f.startsWith('events.out.tfevents.'));
    expect(files).toHaveLength(1);
    expect(readdirSync(out)).toContain('metrics.jsonl');
    const events = readEvents(join(out, files[0]!));
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    const perStep = events.filter((e) => 'train/batch_loss' in e.scalars);
    expect(perStep.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(perStep.map((e) => e.scalars['train/batch_loss'])).toEqual(batchLosses.map(Math.fround));
    expect(perStep.every((e) => e.scalars['lr'] === Math.fround(0.1))).toBe(true);
    const perEpoch = events.filter((e) => 'eval/top1' in e.scalars);
    expect(perEpoch.map((e) => e.step)).toEqual([1, 2]);
    perEpoch.forEach((e, i) => {
      expect(e.scalars['train/loss']).toBe(Math.fround(history[i]!.train.loss));
      expect(e.scalars['eval/top1']).toBe(Math.fround(history[i]!.eval!.top1));
      expect(e.scalars['epoch/lr']).toBe(Math.fround(history[i]!.lr));
    });
    const jsonl = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { lr: number });
    expect(jsonl.map((r) => r.lr)).toEqual(history.map((r) => r.lr));
  });
});
