import { readFile, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FormatError } from '../../lib/io/errors.js';
import { readPthFile } from '../../lib/io/pth.js';
import { DTYPE_SIZE, type RawTensor } from '../../lib/io/raw.js';
import { parseSafetensors, serializeSafetensors } from '../../lib/io/safetensors.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../lib/io/safetensors_file.js';
import { corrupt, expectTensors, generateFixtures, prng, pythonCheck, type Fixtures } from './helpers.js';

let fx: Fixtures;
beforeAll(async () => {
  fx = await generateFixtures();
}, 180_000);
afterAll(async () => fx?.cleanup());

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/** A safetensors file with the given header (object or raw text) and data bytes. */
function build(header: unknown, data: Uint8Array | number = 0): Uint8Array {
  const h =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(h.byteLength), true);
  return concat([prefix, h, typeof data === 'number' ? new Uint8Array(data) : data]);
}

describe('reading files written by PyTorch', () => {
  test.each(['dtypes.safetensors', 'resnet18.safetensors'])(
    '%s: every tensor, in file order',
    async (name) => {
      const expected = fx.manifest.safetensors[name]!;
      const fromFile = await readSafetensorsFile(fx.path(name));
      expectTensors(fromFile.tensors, expected.tensors);
      expect(fromFile.metadata).toEqual(expected.metadata);
      const fromBuffer = parseSafetensors(await readFile(fx.path(name)));
      expectTensors(fromBuffer.tensors, expected.tensors);
      expect(fromBuffer.metadata).toEqual(expected.metadata);
    },
  );
});

describe('files we write are read by PyTorch', () => {
  test('every dtype, metadata and integer-like names round-trip', async () => {
    const expected = fx.manifest.safetensors['dtypes.safetensors']!;
    const { tensors, metadata } = await readSafetensorsFile(fx.path('dtypes.safetensors'));
    const out = fx.path('ours_dtypes.safetensors');
    await writeSafetensorsFile(out, tensors, metadata);
    await writeFile(fx.path('ours_dtypes.json'), JSON.stringify(expected));
    expect(await pythonCheck(out, fx.path('ours_dtypes.json'))).toMatchObject({ ok: true, problems: [] });
    const back = await readSafetensorsFile(out);
    expectTensors(back.tensors, expected.tensors);
    expect(back.metadata).toEqual(metadata);
  });

  test('a resnet18 state dict read from .pth loads into torchvision after the round trip', async () => {
    const expected = fx.manifest.pth['resnet18.pth']!;
    const out = fx.path('ours_resnet18.safetensors');
    await writeSafetensorsFile(out, await readPthFile(fx.path('resnet18.pth')));
    await writeFile(fx.path('ours_resnet18.json'), JSON.stringify({ ...expected, load_into: 'resnet18' }));
    expect(await pythonCheck(out, fx.path('ours_resnet18.json'))).toMatchObject({ ok: true, problems: [] });
  }, 60_000);

  test('the Python check notices a changed value (so the round trips above mean something)', async () => {
    const expected = fx.manifest.safetensors['dtypes.safetensors']!;
    const { tensors, metadata } = await readSafetensorsFile(fx.path('dtypes.safetensors'));
    const f32 = tensors.get('f32')!;
    const changed = new Map(tensors).set('f32', {
      ...f32,
      bytes: f32.bytes.map((b, i) => (i === 0 ? b ^ 1 : b)),
    });
    await writeSafetensorsFile(fx.path('changed.safetensors'), changed, metadata);
    await writeFile(fx.path('changed.json'), JSON.stringify(expected));
    const report = await pythonCheck(fx.path('changed.safetensors'), fx.path('changed.json'));
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/f32: sha256/);
  });

  test('header padded to 8 bytes, each tensor aligned to its element size', () => {
    const t = (dtype: RawTensor['dtype'], n: number): RawTensor => ({
      dtype,
      shape: [n],
      bytes: new Uint8Array(n * DTYPE_SIZE[dtype]),
    });
    const chunks = serializeSafetensors([
      ['a', t('uint8', 3)],
      ['b', t('float64', 1)],
      ['c', t('int16', 1)],
      ['d', t('float32', 2)],
    ]);
    const file = concat(chunks);
    const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<
      string,
      { dtype: string; data_offsets: [number, number] }
    >;
    expect(Object.keys(header)).toEqual(['a', 'b', 'c', 'd']);
    for (const [name, { dtype, data_offsets }] of Object.entries(header)) {
      const size = { U8: 1, F64: 8, I16: 2, F32: 4 }[dtype] ?? 0;
      expect(data_offsets[0] % size, name).toBe(0);
    }
  });

  test('atomic write: replaces the old file, leaves no temporary, keeps the old file on failure', async () => {
    const out = fx.path('atomic.safetensors');
    const one: RawTensor = { dtype: 'float32', shape: [1], bytes: new Uint8Array(4) };
    await writeSafetensorsFile(out, [['x', one]]);
    await writeSafetensorsFile(out, [['y', one]]);
    expect([...(await readSafetensorsFile(out)).tensors.keys()]).toEqual(['y']);
    const bad: RawTensor = { dtype: 'float32', shape: [2], bytes: new Uint8Array(4) };
    await expect(writeSafetensorsFile(out, [['z', bad]])).rejects.toThrow(/needs 8 bytes but received 4/);
    expect([...(await readSafetensorsFile(out)).tensors.keys()]).toEqual(['y']);
    expect((await readdir(fx.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('serializer refuses invalid input', () => {
    const ok: RawTensor = { dtype: 'int8', shape: [1], bytes: new Uint8Array(1) };
    expect(() =>
      serializeSafetensors([
        ['a', ok],
        ['a', ok],
      ]),
    ).toThrow(/'a' appears more than once/);
    expect(() => serializeSafetensors([['__metadata__', ok]])).toThrow(/reserved/);
    expect(() => serializeSafetensors([['a', { ...ok, dtype: 'complex64' as 'int8' }]])).toThrow(/dtype/);
    expect(() => serializeSafetensors([['a', { ...ok, shape: [-1] }]])).toThrow(/shape/);
    expect(() => serializeSafetensors([['a', ok]], { n: 1 as unknown as string })).toThrow(/metadata\['n'\]/);
  });
});

describe('errors', () => {
  const f32 = (shape: number[], offsets: [number, number]) => ({
    dtype: 'F32',
    shape,
    data_offsets: offsets,
  });
  const cases: Array<[string, () => Uint8Array, RegExp]> = [
    ['empty file', () => new Uint8Array(0), /expected at least 8 bytes .* has 0/],
    ['7 bytes', () => new Uint8Array(7), /expected at least 8 bytes .* has 7/],
    [
      'header longer than the file',
      () => build({}).subarray(0, 9),
      /header claims 2 bytes but only 1 bytes follow/,
    ],
    [
      'header length 2**63',
      () => {
        const b = build({});
        b[7] = 0x80;
        return b;
      },
      /header claims 9223372036854775810 bytes but only 2/,
    ],
    ['header not JSON', () => build('{"a": '), /not valid UTF-8 JSON/],
    [
      'header not UTF-8',
      () => build(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
      /not valid UTF-8 JSON/,
    ],
    ['header an array', () => build('[1,2]'), /expected a JSON object but received \[1,2\]/],
    ['header a number', () => build('12'), /expected a JSON object but received 12/],
    ['entry not an object', () => build({ a: 3 }), /tensor 'a': expected an object/],
    [
      'unknown dtype',
      () => build({ a: { dtype: 'U16', shape: [1], data_offsets: [0, 2] } }, 2),
      /tensor 'a': unsupported dtype "U16"; expected one of F64, F32/,
    ],
    [
      'complex dtype',
      () => build({ a: { dtype: 'C64', shape: [], data_offsets: [0, 8] } }, 8),
      /unsupported dtype "C64"/,
    ],
    [
      'negative dimension',
      () => build({ a: f32([-1], [0, 4]) }, 4),
      /expected shape to be an array of non-negative integers but received \[-1\]/,
    ],
    ['fractional dimension', () => build({ a: f32([1.5], [0, 4]) }, 4), /shape .* received \[1.5\]/],
    [
      'shape not an array',
      () => build({ a: f32('3' as unknown as number[], [0, 4]) }, 4),
      /shape .* received "3"/,
    ],
    ['shape overflowing 2**53', () => build({ a: f32([2 ** 30, 2 ** 30], [0, 4]) }, 4), /shape/],
    [
      'one offset',
      () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4),
      /data_offsets to be \[begin, end\] .* received \[0\]/,
    ],
    [
      'string offsets',
      () => build({ a: f32([1], ['0', '4'] as unknown as [number, number]) }, 4),
      /data_offsets/,
    ],
    ['begin after end', () => build({ a: f32([0], [4, 0]) }, 4), /data_offsets/],
    [
      'byte count != numel * size',
      () => build({ a: f32([3], [0, 8]) }, 8),
      /shape \[3\] of float32 needs 12 bytes but data_offsets \[0, 8\] span 8/,
    ],
    [
      'offsets past the data',
      () => build({ a: f32([2], [0, 8]) }, 4),
      /data_offsets \[0, 8\] run past the end of the data \(4 bytes/,
    ],
    ['overlap', () => build({ a: f32([2], [0, 8]), b: f32([1], [4, 8]) }, 8), /'a' and 'b' overlap/],
    ['gap', () => build({ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }, 12), /gap: bytes 4..8 before 'b'/],
    ['trailing bytes', () => build({ a: f32([1], [0, 4]) }, 6), /2 bytes after the last tensor/],
    [
      'duplicate name',
      () =>
        build(
          '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
          4,
        ),
      /names 'a' more than once/,
    ],
    [
      'metadata not strings',
      () => build({ __metadata__: { n: 1 } }),
      /__metadata__\['n'\]: expected a string but received 1/,
    ],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    const buf = make();
    expect(() => parseSafetensors(buf)).toThrow(FormatError);
    expect(() => parseSafetensors(buf)).toThrow(message);
  });

  test.each(cases)('%s (from a file)', async (name, make, message) => {
    const path = fx.path(`bad_${name.replace(/\W+/g, '_')}.safetensors`);
    await writeFile(path, make());
    const err = await readSafetensorsFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(path);
  });

  test('truncated at every structural cut point', async () => {
    const whole = await readFile(fx.path('dtypes.safetensors'));
    const n = Number(whole.readBigUInt64LE(0));
    for (const cut of [0, 1, 7, 8, 9, 8 + (n >> 1), 8 + n - 1, 8 + n, 8 + n + 1, whole.byteLength - 1]) {
      const path = fx.path('truncated.safetensors');
      await writeFile(path, whole.subarray(0, cut));
      await expect(readSafetensorsFile(path), `cut at ${cut}`).rejects.toThrow(FormatError);
      expect(() => parseSafetensors(whole.subarray(0, cut)), `cut at ${cut}`).toThrow(FormatError);
    }
  });

  test('a missing file is an I/O error, not a format error', async () => {
    const err = await readSafetensorsFile(fx.path('nope.safetensors')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(FormatError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test.each(['resnet18.pth', 'legacy_views.pth'])('%s is not mistaken for safetensors', async (name) => {
    await expect(readSafetensorsFile(fx.path(name))).rejects.toThrow(/looks like a PyTorch checkpoint/);
  });

  test('random corruption only ever gives FormatError or a valid result', async () => {
    const whole = await readFile(fx.path('dtypes.safetensors'));
    const rand = prng(1234);
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const bad = corrupt(whole, rand);
      try {
        const { tensors } = parseSafetensors(bad);
        for (const t of tensors.values()) expect(t.bytes.byteLength).toBeLessThanOrEqual(bad.byteLength);
      } catch (err) {
        if (!(err instanceof FormatError)) throw new Error(`iteration ${i}: ${String(err)}`, { cause: err });
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
