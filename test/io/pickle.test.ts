import { describe, expect, test } from 'vitest';
import { FormatError } from '../../lib/io/errors.js';
import { unpickle, type UnpickleHooks } from '../../lib/io/pickle.js';
import { materialize, unpickleTorch } from '../../lib/io/torch_pickle.js';

// Hand-assembled pickles for what the fixtures cannot show: each case is an error path, so the
// expectation is "refused with this message", not a value that PyTorch would have to vouch for.
const enc = new TextEncoder();
const op = (...bytes: number[]): number[] => bytes;
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const str = (s: string): number[] => {
  const b = enc.encode(s);
  return [0x58, ...u32(b.byteLength), ...b];
};
const int = (n: number): number[] => [0x4a, ...u32(n >>> 0)];
const glob = (module: string, name: string): number[] => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const PROTO = op(0x80, 2);
const MARK = op(0x28);
const TUPLE = op(0x74);
const EMPTY_TUPLE = op(0x29);
const REDUCE = op(0x52);
const STOP = op(0x2e);
const pickle = (...parts: number[][]): Uint8Array =>
  new Uint8Array(([] as number[]).concat(PROTO, ...parts, STOP));

const refuseAll: UnpickleHooks = {
  findGlobal: (m, n) => {
    throw new FormatError(`refused ${m}.${n}`);
  },
  persistentLoad: () => {
    throw new FormatError('no pid');
  },
  build: () => {
    throw new FormatError('no build');
  },
};

/** _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, size, stride, False, OrderedDict()) */
function rebuildOps(
  numel: number,
  offset: number,
  size: number[],
  stride: number[],
  storage = 'FloatStorage',
): number[] {
  const tuple = (xs: number[]) => [...MARK, ...xs.flatMap(int), ...TUPLE];
  return ([] as number[]).concat(
    glob('torch._utils', '_rebuild_tensor_v2'),
    MARK,
    MARK,
    str('storage'),
    glob('torch', storage),
    str('0'),
    str('cpu'),
    int(numel),
    TUPLE,
    op(0x51),
    int(offset),
    tuple(size),
    tuple(stride),
    op(0x89),
    glob('collections', 'OrderedDict'),
    EMPTY_TUPLE,
    REDUCE,
    TUPLE,
    REDUCE,
  );
}

function tensorPickle(
  numel: number,
  offset: number,
  size: number[],
  stride: number[],
  storage?: string,
): Uint8Array {
  return pickle(rebuildOps(numel, offset, size, stride, storage));
}

async function materializeOne(buf: Uint8Array, recordBytes: number): Promise<Uint8Array> {
  const { root, pending } = unpickleTorch(buf);
  const t = root as { bytes: Uint8Array };
  await materialize([root as never], pending, () => Promise.resolve(new Uint8Array(recordBytes)));
  return t.bytes;
}

describe('the pickle machine', () => {
  test.each([
    ['stack underflow', pickle(), /stack underflow/],
    ['text opcodes (INT)', pickle(op(0x49, 0x31, 0x0a)), /unsupported opcode/],
    ['missing memo entry', pickle(op(0x68, 5)), /memo entry 5 is missing/],
    ['no STOP', new Uint8Array([...PROTO, 0x4e]), /pickle ends/],
    [
      'string longer than the pickle',
      pickle(op(0x58, 0xff, 0xff, 0xff, 0x7f)),
      /expected 2147483647 more bytes/,
    ],
    [
      'LONG4 longer than the pickle',
      pickle(op(0x8b, 0xff, 0xff, 0xff, 0x7f)),
      /expected 2147483647 more bytes/,
    ],
    [
      'huge LONG4',
      pickle(op(0x8b, ...u32(5000)), new Array<number>(5000).fill(1)),
      /integer of 5000 bytes is too large/,
    ],
    ['SETITEM on a list', pickle(op(0x5d), int(1), int(2), op(0x73)), /SETITEM\(S\) on a list/],
    ['APPEND on a tuple', pickle(EMPTY_TUPLE, int(1), op(0x61)), /APPEND\(S\) on a tuple/],
    ['POP_MARK without MARK', pickle(op(0x31)), /no MARK/],
    ['protocol 6', new Uint8Array([0x80, 6, 0x4e, 0x2e]), /unsupported pickle protocol/],
    ['invalid UTF-8', pickle(op(0x58, 1, 0, 0, 0, 0xff)), /not valid UTF-8/],
  ])('%s', (_name, buf, message) => {
    expect(() => unpickle(buf, refuseAll)).toThrow(FormatError);
    expect(() => unpickle(buf, refuseAll)).toThrow(message);
  });

  test('deep nesting does not overflow the stack', () => {
    const depth = 200_000;
    const buf = new Uint8Array([
      ...PROTO,
      ...new Array<number>(depth).fill(0x5d),
      ...new Array<number>(depth - 1).fill(0x61),
      0x2e,
    ]);
    let v = unpickle(buf, refuseAll).value;
    let d = 1;
    while (Array.isArray(v) && v.length > 0) [v, d] = [v[0], d + 1];
    expect(d).toBe(depth);
  });
});

describe('torch globals and tensors', () => {
  test.each([
    [
      'os.system via GLOBAL',
      pickle(glob('os', 'system'), MARK, str('touch /tmp/x'), TUPLE, REDUCE),
      "'os.system'",
    ],
    [
      'builtins.exec via GLOBAL',
      pickle(glob('__builtin__', 'exec'), MARK, str('1'), TUPLE, REDUCE),
      "'builtins.exec'",
    ],
    [
      'subprocess via STACK_GLOBAL',
      pickle(op(0x8c, 10), [...enc.encode('subprocess')], op(0x8c, 5), [...enc.encode('Popen')], op(0x93)),
      "'subprocess.Popen'",
    ],
    ['torch.load itself', pickle(glob('torch', 'load')), "'torch.load'"],
  ])('%s is refused by name', (_name, buf, name) => {
    expect(() => unpickleTorch(buf)).toThrow(FormatError);
    expect(() => unpickleTorch(buf)).toThrow(`refusing to load global ${name}`);
  });

  test('a storage type cannot be called', () => {
    expect(() => unpickleTorch(pickle(glob('torch', 'FloatStorage'), EMPTY_TUPLE, REDUCE))).toThrow(
      /cannot call a global torch.FloatStorage/,
    );
  });

  test('BUILD is only for OrderedDict state', () => {
    expect(() => unpickleTorch(pickle(op(0x5d), op(0x7d), op(0x62)))).toThrow(
      /BUILD .* on a list is not allowed/,
    );
  });

  test('unsupported storage dtypes say so', () => {
    expect(() => unpickleTorch(tensorPickle(4, 0, [2], [1], 'ComplexFloatStorage'))).toThrow(
      /unsupported storage type torch.ComplexFloatStorage/,
    );
  });

  test('views inside the storage are materialized; outside it, refused', async () => {
    expect((await materializeOne(tensorPickle(4, 0, [2, 2], [2, 1]), 16)).byteLength).toBe(16);
    await expect(materializeOne(tensorPickle(4, 1, [2, 2], [2, 1]), 16)).rejects.toThrow(
      /size \(2, 2\), stride \(2, 1\) at storage offset 1 reaches element 4 but storage '0' has only 4 elements/,
    );
    await expect(materializeOne(tensorPickle(4, 0, [3], [2]), 16)).rejects.toThrow(/reaches element 4/);
    await expect(materializeOne(tensorPickle(4, 0, [2, 2], [2, 1]), 12)).rejects.toThrow(
      /expected 4 elements of float32 \(16 bytes\) but the record has 12/,
    );
    await expect(materializeOne(tensorPickle(4, 0, [2], [1, 1]), 16)).rejects.toThrow(/differ in length/);
  });

  test('copies of views share a budget: many transposed views of one storage are refused past it', async () => {
    const view = rebuildOps(16, 0, [4, 4], [1, 4]); // a transposed 4x4: 64 bytes copied
    const { root, pending } = unpickleTorch(pickle(op(0x5d), MARK, view, view, view, op(0x65)));
    const record = () => Promise.resolve(new Uint8Array(64));
    await expect(materialize(root as never[], pending, record, 150)).rejects.toThrow(
      /would copy 64 bytes out of 64 storage bytes, past the 150 bytes allowed/,
    );
  });

  test('copies of views share a budget: an expand() to 16 GiB is refused before allocating', async () => {
    await expect(materializeOne(tensorPickle(1, 0, [65536, 65536], [0, 0]), 4)).rejects.toThrow(
      /would copy 17179869184 bytes out of 4 storage bytes, past the 1073741824 bytes allowed/,
    );
  });
});
