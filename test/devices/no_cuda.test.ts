/**
 * On a machine without a usable CUDA device, every public function that takes a device accepts
 * 'cuda' and 'cuda:N' and throws a DeviceError saying that no CUDA device is available and which
 * libtorch was loaded; the functions that PyTorch lets run there answer as PyTorch does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

import {
  arange,
  cuda,
  data,
  DeviceError,
  empty,
  eye,
  full,
  linspace,
  manualSeed,
  nn,
  ones,
  onesLike,
  optim,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  version,
  zeros,
  zerosLike,
  type Device,
} from '../../lib/index.js';
import { Trainer } from '../../lib/train/index.js';

const hasCuda = cuda.deviceCount() > 0;
/** What every such error says: no device, and the libtorch (its version, CPU-only or CUDA build). */
const noCuda = new RegExp(
  `No CUDA device is available for .*\\(libtorch ${version.libtorch.replace(/\./g, '\\.')}, (a CPU-only build|built with CUDA \\d+\\.\\d+)`,
);

function expectNoCuda(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DeviceError);
  expect((caught as Error).message).toMatch(noCuda);
}

const devices: Device[] = ['cuda', 'cuda:0', 'cuda:1'];
const made: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const t of made.splice(0)) t.dispose();
});
const keep = <T extends { dispose(): void }>(t: T): T => (made.push(t), t);

describe.skipIf(hasCuda)('without a CUDA device', () => {
  describe.each(devices)('%s', (device) => {
    it('creation ops throw a DeviceError naming the libtorch', () => {
      const base = keep(zeros([2]));
      const calls: Array<() => unknown> = [
        () => tensor([1, 2], { device }),
        () => tensor(new Float32Array(4), { shape: [2, 2], device }),
        () => zeros([2], { device }),
        () => ones([2], { device }),
        () => empty([2], { device }),
        () => full([2], 3, { device }),
        () => randn([2], { device }),
        () => rand([2], { device }),
        () => randint(0, 5, [2], { device }),
        () => randperm(4, { device }),
        () => arange(4, { device }),
        () => arange(0, 4, 1, { device }),
        () => linspace(0, 1, 5, { device }),
        () => eye(3, undefined, { device }),
        () => zerosLike(base, { device }),
        () => onesLike(base, { device }),
      ];
      for (const call of calls) expectNoCuda(call);
    });

    it('moving a tensor or a module throws, and leaves the module as it was', () => {
      const t = keep(randn([2, 3]));
      expectNoCuda(() => t.to(device));
      expectNoCuda(() => t.to(device, { nonBlocking: true }));
      const layer = new nn.Linear(3, 2);
      const before = layer.weight.dataSync();
      expectNoCuda(() => layer.to(device));
      expect(layer.weight.device).toBe('cpu');
      expect(layer.weight.dataSync()).toEqual(before);
      layer.dispose();
      // A module without tensors is checked too: nothing would move, the device is still wrong.
      expectNoCuda(() => new nn.ReLU().to(device));
    });

    it('the Trainer throws before it moves the model', () => {
      const model = new nn.Linear(4, 3);
      const ds: data.TensorDataset = {
        kind: 'tensor',
        inputs: keep(randn([8, 4])),
        targets: keep(randint(0, 3, [8])),
        classes: ['a', 'b', 'c'],
        length: 8,
      };
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
      const trainLoader = new data.DataLoader(ds, { batchSize: 4 });
      expectNoCuda(() => new Trainer({ model, optimizer, trainLoader, epochs: 1, device }));
      expect(model.weight.device).toBe('cpu');
      model.dispose();
    });

    it('cuda.synchronize, memory counters and RNG state with a device throw', () => {
      const state = keep(tensor(new Uint8Array(16)));
      expectNoCuda(() => cuda.synchronize(device));
      expectNoCuda(() => cuda.memoryAllocated(device));
      expectNoCuda(() => cuda.memoryReserved(device));
      expectNoCuda(() => cuda.getRngState(device));
      expectNoCuda(() => cuda.setRngState(state, device));
    });
  });

  it('t.cuda(), t.cuda(1) and pinMemory() throw', () => {
    const t = keep(randn([2]));
    expectNoCuda(() => t.cuda());
    expectNoCuda(() => t.cuda(1));
    expectNoCuda(() => t.pinMemory());
    expect(t.isPinned).toBe(false);
  });

  it('cuda.synchronize() and the RNG state throw, as torch.cuda does without CUDA', () => {
    expectNoCuda(() => cuda.synchronize());
    expectNoCuda(() => cuda.getRngState());
  });

  it("answers as PyTorch's torch.cuda does where it does not raise", () => {
    expect(cuda.isAvailable()).toBe(false);
    expect(cuda.deviceCount()).toBe(0);
    expect(cuda.memoryAllocated()).toBe(0);
    expect(cuda.memoryReserved()).toBe(0);
    expect(() => cuda.emptyCache()).not.toThrow();
    // Seeding CUDA does nothing here, and leaves the CPU generator alone.
    manualSeed(5);
    const a = keep(randn([4])).dataSync();
    manualSeed(5);
    cuda.manualSeed(123);
    cuda.manualSeedAll(7);
    expect(keep(randn([4])).dataSync()).toEqual(a);
  });

  it('a DataLoader asked to pin memory warns once and yields ordinary batches', async () => {
    const warnings: Error[] = [];
    const listen = (w: Error): void => void warnings.push(w);
    process.on('warning', listen);
    try {
      const ds: data.TensorDataset = {
        kind: 'tensor',
        inputs: keep(randn([4, 1, 2, 2])),
        targets: keep(randint(0, 2, [4])),
        classes: ['a', 'b'],
        length: 4,
      };
      const loader = new data.DataLoader(ds, { batchSize: 2, pinMemory: true });
      new data.DataLoader(ds, { batchSize: 2, pinMemory: true });
      expect(loader.pinMemory).toBe(false);
      for await (const b of loader.epoch(0)) {
        expect(b.input.isPinned).toBe(false);
        b.input.dispose();
        b.target.dispose();
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on next tick
      const ours = warnings.filter((w) => /DataLoader pinMemory/.test(w.message));
      expect(ours.length).toBeLessThanOrEqual(1); // once per process (an earlier test may have had it)
      for (const w of ours) expect(w.message).toMatch(noCuda);
    } finally {
      process.off('warning', listen);
    }
  });

  it('the CLI commands train, eval and predict refuse --device cuda with the same message', async () => {
    const run = async (args: string[]): Promise<string> => {
      try {
        await promisify(execFile)(process.execPath, ['dist/cli.js', ...args], { timeout: 60_000 });
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
      throw new Error(`${args.join(' ')} did not fail`);
    };
    const out = await Promise.all([
      run(['train', '--device', 'cuda', '--epochs', '1', '--data-path', '/nonexistent']),
      run(['eval', '--device', 'cuda:1', '--weights', '/nonexistent.safetensors']),
      run(['predict', 'x.png', '--device', 'cuda', '--weights', '/nonexistent.safetensors']),
    ]);
    for (const stderr of out) expect(stderr).toMatch(noCuda);
  }, 120_000);
});

describe('device names', () => {
  it.each(['gpu', 'cuda:', 'cuda:x', 'cuda:-1', 'CUDA', 'cpu:0', 3])(
    'refuses %s with a DeviceError naming what it expected',
    (bad) => {
      const t = keep(zeros([1]));
      const expected = /Expected 'cpu', 'cuda' or 'cuda:N' for (device|target) but received/;
      expect(() => zeros([1], { device: bad as Device })).toThrow(DeviceError);
      expect(() => zeros([1], { device: bad as Device })).toThrow(expected);
      expect(() => t.to(bad as Device)).toThrow(/Expected a dtype or a device/);
      expect(() => new nn.ReLU().to(bad as Device)).toThrow(/a device \('cpu', 'cuda:0'\)/);
    },
  );

  it("'cpu' works everywhere that takes a device", () => {
    const t = keep(zeros([2], { device: 'cpu' }));
    expect(t.device).toBe('cpu');
    expect(keep(t.to('cpu', { nonBlocking: true })).device).toBe('cpu');
    expect(new nn.Linear(2, 2).to('cpu').weight.device).toBe('cpu');
    expect(() => cuda.memoryAllocated('cpu')).toThrow(/Expected a CUDA device/);
  });
});
