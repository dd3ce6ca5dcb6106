import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FormatError } from '../../lib/io/errors.js';
import { bufferSource } from '../../lib/io/file.js';
import { parsePth, readPthFile, readPthObject } from '../../lib/io/pth.js';
import { DTYPE_SIZE, type DType, type RawTensor } from '../../lib/io/raw.js';
import { materialize, Namespace, unpickleTorch } from '../../lib/io/torch_pickle.js';
import { load, readTrainCheckpointInfo } from '../../lib/index.js';
import { readZipDirectory, readZipEntry } from '../../lib/io/zip.js';
import {
  corrupt,
  expectTensors,
  generateFixtures,
  prng,
  type FileEntry,
  type Fixtures,
  type TensorEntry,
} from './helpers.js';

let fx: Fixtures;
beforeAll(async () => {
  fx = await generateFixtures();
}, 180_000);
afterAll(async () => fx?.cleanup());

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const result = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e as Error,
  );
  return result;
}

describe('state dicts written by torch.save', () => {
  test.each([
    ['dtypes.pth', 'every dtype, 0-d and empty tensors, integer-like names'],
    ['views.pth', 'transposed, sliced, offset, expanded and shared-storage views'],
    ['resnet18.pth', 'torchvision resnet18 (an OrderedDict with _metadata)'],
    ['legacy_views.pth', 'legacy (non-zip) format'],
    ['proto4.pth', 'pickle protocol 4'],
    ['deflate.pth', 'deflate-compressed entries'],
    ['zip64.pth', 'zip64 extra fields and end records'],
    ['big_endian.pth', 'byteorder "big"'],
  ])('%s: %s', async (name) => {
    const expected = fx.manifest.pth[name]!;
    expectTensors(await readPthFile(fx.path(name)), expected.tensors);
  });

  test('from memory too', async () => {
    expectTensors(
      await parsePth(await readFile(fx.path('views.pth'))),
      fx.manifest.pth['views.pth']!.tensors,
    );
  });

  test('the deflated and zip64 fixtures are valid for torch.load itself', () => {
    expect(fx.manifest.pth['deflate.pth']!.torch_loads).toBe(true);
    expect(fx.manifest.pth['zip64.pth']!.torch_loads).toBe(true);
  });
});

describe('wrapped checkpoints', () => {
  const expected = () => fx.manifest.pth['wrapped.pth']!;

  test('without a key: an error that names the entry to pick', async () => {
    const err = await errorOf(readPthFile(fx.path('wrapped.pth')));
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/wraps its state dict: entry 'model' holds tensors; pass \{ key: 'model' \}/);
  });

  test("{ key: 'model' } gives the model's state dict", async () => {
    expectTensors(await readPthFile(fx.path('wrapped.pth'), { key: 'model' }), expected().tensors);
  });

  test('an unknown key lists the entries', async () => {
    const err = await errorOf(readPthFile(fx.path('wrapped.pth'), { key: 'state_dict' }));
    expect(err.message).toMatch(/no entry 'state_dict'; its entries are 'model', 'optimizer', 'epoch'/);
  });

  test('a key that is not a dict of tensors', async () => {
    await expect(readPthFile(fx.path('wrapped.pth'), { key: 'epoch' })).rejects.toThrow(
      /entry 'epoch' is an int, not a dict/,
    );
    await expect(readPthFile(fx.path('wrapped.pth'), { key: 'optimizer' })).rejects.toThrow(
      /entry 'state' is a dict, not a tensor/,
    );
  });

  test('the whole object: numbers, None, bytes, nested dicts with int keys, optimizer state', async () => {
    const root = (await readPthObject(fx.path('wrapped.pth'))) as Map<string, unknown>;
    const e = expected();
    expect([...root.keys()]).toEqual(e.entries);
    expect(root.get('epoch')).toBe(e.epoch);
    expect(root.get('best_acc')).toBe(e.best_acc);
    expect(root.get('note')).toBeNull();
    expect([...(root.get('tag') as Uint8Array)]).toEqual(e.tag);
    const opt = root.get('optimizer') as Map<string, unknown>;
    const groups = opt.get('param_groups') as Array<Map<string, unknown>>;
    expect(groups[0]?.get('lr')).toBe(0.1);
    expect(groups[0]?.get('momentum')).toBe(0.9);
    const state = opt.get('state') as Map<number, Map<string, RawTensor>>;
    expect([...state.keys()]).toEqual(groups[0]?.get('params'));
    // SGD's momentum buffer after one step is the gradient, shaped like the parameter.
    const weight = e.tensors.find((t) => t.name === '0.weight')!;
    expect(state.get(0)?.get('momentum_buffer')?.shape).toEqual(weight.shape);
  });

  test('argparse.Namespace is read as a plain record of its attributes, without allowGlobals', async () => {
    expectTensors(await readPthFile(fx.path('wrapped_args.pth'), { key: 'model' }), expected().tensors);
    const args = ((await readPthObject(fx.path('wrapped_args.pth'))) as Map<string, unknown>).get('args');
    expect(args).toBeInstanceOf(Namespace);
    expect({ ...(args as Namespace).fields }).toEqual({ lr: 0.1, epochs: 90 });
  });

  test("torchvision train.py's checkpoint: load(path, { key: 'model' }), its args and model_ema", async () => {
    const e = fx.manifest.pth['train_py.pth']! as FileEntry & {
      entries: string[];
      epoch: number;
      args: Record<string, unknown>;
      ema: TensorEntry[];
    };
    const path = fx.path('train_py.pth');
    const sd = await load(path, { key: 'model' });
    expect(Object.keys(sd)).toEqual(e.tensors.map((t) => t.name));
    for (const t of e.tensors) expect(sd[t.name]!.shape, t.name).toEqual(t.shape);
    expectTensors(await readPthFile(path, { key: 'model' }), e.tensors);
    expectTensors(await readPthFile(path, { key: 'model_ema' }), e.ema);
    const info = await readTrainCheckpointInfo(path);
    expect(info.entries).toEqual(e.entries);
    expect(info.epoch).toBe(e.epoch);
    expect(info.args).toEqual(e.args); // every flag as vars(args) has it, None as null
    for (const t of Object.values(sd)) t.dispose();
  });

  test('readTrainCheckpointInfo of a file without args says what it expected', async () => {
    await expect(readTrainCheckpointInfo(fx.path('wrapped.pth'))).rejects.toThrow(
      /expected a torchvision train.py checkpoint/,
    );
  });

  test('a Namespace whose state is not a dict is refused', () => {
    // protocol 2: GLOBAL argparse.Namespace, EMPTY_TUPLE, NEWOBJ, BININT1 3, BUILD, STOP
    const bytes = new Uint8Array([
      0x80,
      0x02,
      0x63,
      ...Buffer.from('argparse\nNamespace\n'),
      0x29,
      0x81,
      0x4b,
      3,
      0x62,
      0x2e,
    ]);
    expect(() => unpickleTorch(bytes)).toThrow(
      'argparse.Namespace: expected a dict of attributes but received an int',
    );
  });
});

describe('malicious and broken checkpoints', () => {
  test('the payloads are real: torch.load runs them', () => {
    expect(fx.manifest.malicious[0]?.torch_load_runs_payload).toBe(true);
  });

  test.each([0, 1])('malicious pickle %i is refused, naming its global, and nothing runs', async (i) => {
    const m = fx.manifest.malicious[i]!;
    for (const read of [() => readPthFile(fx.path(m.file)), () => readPthObject(fx.path(m.file))]) {
      const err = await errorOf(read());
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toContain(`refusing to load global '${m.global}'`);
      expect(err.message).toContain(fx.path(m.file));
    }
    expect(existsSync(m.marker)).toBe(false);
  });

  test('a zip missing a storage entry', async () => {
    const { file, entry } = fx.manifest.missing_storage;
    await expect(readPthFile(fx.path(file))).rejects.toThrow(new RegExp(`the zip has no entry '${entry}'`));
  });

  test('a flipped bit in a storage fails its CRC', async () => {
    const buf = await readFile(fx.path('resnet18.pth'));
    const middle = buf.byteLength >> 1;
    buf.writeUInt8(buf.readUInt8(middle) ^ 0x10, middle);
    await expect(parsePth(buf)).rejects.toThrow(/CRC-32 mismatch/);
  });

  test('a deflated entry claiming more than deflate can produce is refused before inflating', async () => {
    const buf = await readFile(fx.path('deflate.pth'));
    const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); // first central directory entry
    buf.writeUInt32LE(0x7fffffff, cd + 24); // its uncompressed size
    await expect(parsePth(buf)).rejects.toThrow(/claims 2147483647 bytes from \d+ deflated bytes/);
  });

  test.each(['views.pth', 'legacy_views.pth', 'deflate.pth', 'zip64.pth'])(
    '%s truncated at many points',
    async (name) => {
      const whole = await readFile(fx.path(name));
      const cuts = [
        0,
        1,
        4,
        30,
        64,
        200,
        whole.byteLength >> 1,
        whole.byteLength - 100,
        whole.byteLength - 22,
        whole.byteLength - 1,
      ];
      for (const cut of cuts) {
        const path = fx.path(`truncated_${name}`);
        await writeFile(path, whole.subarray(0, Math.max(0, cut)));
        const err = await errorOf(readPthFile(path));
        expect(err, `cut at ${cut}: ${err.message}`).toBeInstanceOf(FormatError);
      }
    },
  );

  test('files of other formats', async () => {
    await expect(readPthFile(fx.path('dtypes.safetensors'))).rejects.toThrow(/looks like a safetensors file/);
    await writeFile(fx.path('text.pth'), 'hello world, not a checkpoint');
    await expect(readPthFile(fx.path('text.pth'))).rejects.toThrow(/not a PyTorch checkpoint/);
    await writeFile(fx.path('empty.pth'), '');
    await expect(readPthFile(fx.path('empty.pth'))).rejects.toThrow(/the file is empty/);
    const err = await errorOf(readPthFile(fx.path('missing.pth')));
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test.each(['dtypes.pth', 'views.pth', 'legacy_views.pth', 'deflate.pth', 'wrapped.pth'])(
    'random corruption of %s only ever gives FormatError or a valid result',
    async (name) => {
      const whole = await readFile(fx.path(name));
      const rand = prng(name.length * 7919);
      const expected = fx.manifest.pth[name]!;
      let failures = 0;
      for (let i = 0; i < 300; i++) {
        try {
          const sd = await parsePth(
            corrupt(whole, rand),
            expected.key === undefined ? {} : { key: expected.key },
          );
          // Whatever survives corruption must still be self-consistent.
          for (const t of sd.values()) expect(t.bytes.byteLength).toBeLessThanOrEqual(whole.byteLength * 4);
        } catch (err) {
          if (!(err instanceof FormatError))
            throw new Error(`iteration ${i}: ${String(err)}`, { cause: err });
          failures++;
        }
      }
      expect(failures).toBeGreaterThan(0);
    },
  );
});

describe('fuzzing the unpickler directly (the zip CRC would otherwise catch the damage first)', () => {
  test.each(['views.pth', 'wrapped.pth', 'resnet18.pth'])('data.pkl of %s', async (name) => {
    const src = bufferSource(await readFile(fx.path(name)));
    const entry = (await readZipDirectory(src)).find((e) => e.name.endsWith('/data.pkl'))!;
    const pkl = await readZipEntry(src, entry);
    const rand = prng(99);
    let failures = 0;
    for (let i = 0; i < 500; i++) {
      const bad = corrupt(pkl, rand);
      try {
        const { pending, records } = unpickleTorch(bad);
        // Records of the size the (corrupted) pickle claims, up to a sane bound.
        const record = (key: string, dtype: DType) => {
          const n = (records.get(key)?.numel ?? 0) * DTYPE_SIZE[dtype];
          return Promise.resolve(new Uint8Array(n <= 1 << 16 ? n : 0));
        };
        await materialize(pending.keys(), pending, record);
      } catch (err) {
        if (!(err instanceof FormatError)) throw new Error(`iteration ${i}: ${String(err)}`, { cause: err });
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
