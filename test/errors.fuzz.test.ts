/**
 * Thousands of wrong calls (wrong types, shapes, dtypes, disposed tensors), picked by a seeded
 * PRNG (FUZZ_SEED=<n> reproduces a run): each must throw a ResnetNativeError (DisposedError for
 * disposed tensors, DeviceError for missing devices) whose message has no C++ backtrace and,
 * for argument checks, names the argument. A crash of the process fails the test file.
 */
import { describe, expect, it } from 'vitest';

import {
  DeviceError,
  DisposedError,
  nn,
  randn,
  ResnetNativeError,
  tensor,
  type Tensor,
  zeros,
} from '../lib/index.js';

const F = nn.functional;
const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CALLS = 2500;
/** Errors raised inside libtorch 1.13 cost ~3-8 ms each (it captures a C++ backtrace). */
const BUDGET_MS = 12_000;
console.log(`[fuzz] seed ${SEED} (reproduce with FUZZ_SEED=${SEED})`);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
/** Lets a wrong value through the type checker. */
const A = (v: unknown): never => v as never;

/** Valid tensors, made fresh per call and disposed after it. */
class Fx {
  readonly made: Tensor[] = [];
  k<T extends Tensor>(t: T): T {
    this.made.push(t);
    return t;
  }
  x = (shape = [2, 3, 8, 8]): Tensor => this.k(randn(shape));
  w = (shape = [4, 3, 3, 3]): Tensor => this.k(randn(shape));
  ints = (shape: number[], dtype: 'int64' | 'int32' = 'int64'): Tensor => this.k(zeros(shape, { dtype }));
  target = (n = 4, c = 5): Tensor =>
    this.k(tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i % c))));
  /** Running mean and var of `c` channels. */
  mean = (c = 3): Tensor => this.k(zeros([c]));
  var = (c = 3): Tensor => this.k(zeros([c]).add(1));
  grad = (shape: number[]): Tensor => this.k(randn(shape, { requiresGrad: true }));
  x64 = (shape: number[]): Tensor => this.k(randn(shape, { dtype: 'float64' }));
  disposed(shape = [2, 3, 8, 8]): Tensor {
    const t = randn(shape);
    t.dispose();
    return t;
  }
}

type Call = (f: Fx, bad: unknown) => unknown;
interface Spec {
  name: string;
  /** The argument the message must name (argument checks only). */
  arg?: string;
  /** The wrong values to try; specs without `bad` are one fixed wrong call. */
  bad?: readonly unknown[];
  call: Call;
  /** The error class required beyond ResnetNativeError. */
  want?: typeof ResnetNativeError;
}
/** Wrong values for one argument. */
const arg = (name: string, argName: string, bad: readonly unknown[], call: Call): Spec => {
  return { name, arg: argName, bad, call };
};
/** One fixed wrong call. */
const fixed = (name: string, call: (f: Fx) => unknown): Spec => ({ name, call: (f) => call(f) });
/** A call with a disposed tensor `d`: must throw DisposedError. */
const disposed = (name: string, call: (f: Fx, d: Tensor) => unknown): Spec => {
  return { name: `disposed: ${name}`, want: DisposedError, call: (f) => call(f, f.disposed()) };
};

const NOT_A_TENSOR = ['x', '', 1, NaN, {}, [], [1, 2], true, 1n, () => 1, Symbol('s'), new Float32Array(4)];
const REQUIRED = [...NOT_A_TENSOR, undefined, null, { shape: [2], dtype: 'float32' }];
const BAD_PAIR = ['2', {}, NaN, Infinity, -1, 1.5, [], [1, 2, 3], [1, NaN], [1, '2'], [2, -1], [1.5, 1]];
const BAD_PAIR_ODD = [...BAD_PAIR, true, 1n, Symbol('p'), 2 ** 53];
const BAD_POSITIVE_PAIR = [...BAD_PAIR_ODD, 0, [1, 0]];
const BAD_BOOL = ['yes', {}, [], 1, NaN, Symbol('b')];
const BAD_NUMBER = ['0.1', {}, [], true, Symbol('n'), 1n];
const BAD_DIM = [5, -6, 1.5, NaN, '0', {}, [9], [0, 0], Infinity, true];
const BAD_OTHER = ['1', {}, undefined, null, [1], true, Symbol('a')];

const conv = (f: Fx, o: unknown): unknown => F.conv2d(f.x(), f.w(), A(o));
const bn = (f: Fx, o: unknown): unknown => F.batchNorm(f.x(), f.mean(), f.var(), A(o));
const ce = (f: Fx, o: unknown): unknown => F.crossEntropy(f.x([4, 5]), f.target(), A(o));

const SPECS: Spec[] = [
  // wrong argument types and values
  arg('conv2d input', 'input', REQUIRED, (f, v) => F.conv2d(A(v), f.w())),
  arg('conv2d weight', 'weight', REQUIRED, (f, v) => F.conv2d(f.x(), A(v))),
  arg('conv2d bias', 'bias', NOT_A_TENSOR, (f, v) => conv(f, { bias: v })),
  arg('conv2d stride', 'stride', BAD_POSITIVE_PAIR, (f, v) => conv(f, { stride: v })),
  arg('conv2d padding', 'padding', BAD_PAIR_ODD, (f, v) => conv(f, { padding: v })),
  arg('conv2d dilation', 'dilation', BAD_POSITIVE_PAIR, (f, v) => conv(f, { dilation: v })),
  arg('conv2d groups', 'groups', [0, -1, 1.5, NaN, '1', {}, [1], Infinity, 2], (f, v) =>
    conv(f, { groups: v }),
  ),
  arg('conv2d options', 'options', ['opts', 3, [], true, Symbol('o')], conv),
  arg('maxPool2d kernelSize', 'kernelSize', [...BAD_POSITIVE_PAIR, undefined], (f, v) =>
    F.maxPool2d(f.x(), A(v)),
  ),
  arg('maxPool2d stride', 'stride', BAD_POSITIVE_PAIR, (f, v) => F.maxPool2d(f.x(), 2, A({ stride: v }))),
  arg('maxPool2d ceilMode', 'ceilMode', BAD_BOOL, (f, v) => F.maxPool2d(f.x(), 2, A({ ceilMode: v }))),
  arg('avgPool2d padding', 'padding', BAD_PAIR, (f, v) => F.avgPool2d(f.x(), 3, A({ padding: v }))),
  arg('avgPool2d countIncludePad', 'countIncludePad', BAD_BOOL, (f, v) =>
    F.avgPool2d(f.x(), 3, A({ countIncludePad: v })),
  ),
  arg('adaptiveAvgPool2d outputSize', 'outputSize', [...BAD_PAIR, undefined], (f, v) =>
    F.adaptiveAvgPool2d(f.x(), A(v)),
  ),
  arg('batchNorm runningMean', 'runningMean', NOT_A_TENSOR, (f, v) => F.batchNorm(f.x(), A(v), f.var())),
  arg('batchNorm momentum', 'momentum', BAD_NUMBER, (f, v) => bn(f, { training: true, momentum: v })),
  arg('batchNorm eps', 'eps', BAD_NUMBER, (f, v) => bn(f, { eps: v })),
  arg('batchNorm training', 'training', BAD_BOOL, (f, v) => bn(f, { training: v })),
  arg('batchNorm weight', 'weight', NOT_A_TENSOR, (f, v) => bn(f, { weight: v })),
  arg('linear weight', 'weight', REQUIRED, (f, v) => F.linear(f.x([2, 4]), A(v))),
  arg('crossEntropy target', 'target', REQUIRED, (f, v) => F.crossEntropy(f.x([4, 5]), A(v))),
  arg('crossEntropy reduction', 'reduction', ['avg', '', 1, {}, Symbol('r')], (f, v) =>
    ce(f, { reduction: v }),
  ),
  arg('crossEntropy labelSmoothing', 'labelSmoothing', [...BAD_NUMBER, -0.1, 1.5, NaN], (f, v) =>
    ce(f, { labelSmoothing: v }),
  ),
  arg('nllLoss weight', 'weight', NOT_A_TENSOR, (f, v) =>
    F.nllLoss(f.x([4, 5]), f.target(), A({ weight: v })),
  ),
  arg('pad pads', 'pad', ['x', NaN, {}, [1], [1, 2, 3], [1.5, 1], ['a', 1], new Array(10).fill(1)], (f, v) =>
    F.pad(f.x(), A(v)),
  ),
  arg('pad mode', 'mode', ['mirror', 1, {}, Symbol('m')], (f, v) => F.pad(f.x(), [1, 1], A({ mode: v }))),
  arg('softmax dim', 'dim', [...BAD_DIM, undefined], (f, v) => F.softmax(f.x([2, 3]), A(v))),
  arg('sum dim', 'dim', BAD_DIM, (f, v) => f.x([2, 3]).sum(A(v))),
  arg('mean keepdim', 'keepdim', BAD_BOOL, (f, v) => f.x([2, 3]).mean(0, A(v))),
  arg('argmax dim', 'dim', BAD_DIM, (f, v) => f.x([2, 3]).argmax(A(v))),
  arg('topk k', 'k', [-1, 100, 1.5, NaN, '1', {}, undefined], (f, v) => f.x([2, 3]).topk(A(v))),
  arg('add other', 'other', BAD_OTHER, (f, v) => f.x().add(A(v))),
  arg('mul other', 'other', BAD_OTHER, (f, v) => f.x().mul(A(v))),
  arg('reshape shape', 'shape', ['x', [7], [-2, 3], [1.5, 4], [NaN], {}], (f, v) =>
    f.x([2, 3]).reshape(A(v)),
  ),
  arg('to target', 'target', ['float128', 'tpu', 'cuda:x', 1, {}, undefined], (f, v) => f.x([2]).to(A(v))),
  { name: 'to a missing device', want: DeviceError, call: (f) => f.x([2]).to('cuda:999') },
  arg(
    'tensor data',
    'data',
    ['abc', {}, [1, 'a'], [[1, 2], [3]], [[1], 2], undefined, null, Symbol('d')],
    (_, v) => tensor(A(v)),
  ),
  arg('tensor shape', 'shape', ['x', [4, 2], [-2, -3], [2.5, 2], [NaN], {}], (_, v) =>
    tensor(new Float32Array(6), A({ shape: v })),
  ),
  arg('tensor dtype', 'dtype', ['float128', 'Float32', 1, {}], (_, v) => tensor([1, 2], A({ dtype: v }))),
  arg('zeros shape', 'shape', [-1, [-1], [1.5], 'x', [NaN], {}], (_, v) => zeros(A(v))),
  // shapes that do not fit
  fixed('conv2d weight rank 3', (f) => F.conv2d(f.x(), f.w([4, 3, 3]))),
  fixed('conv2d input rank 2', (f) => F.conv2d(f.x([3, 8]), f.w())),
  fixed('conv2d channel mismatch', (f) => F.conv2d(f.x(), f.w([4, 5, 3, 3]))),
  fixed('conv2d kernel larger than input', (f) => F.conv2d(f.x([1, 3, 2, 2]), f.w())),
  fixed('conv2d bias length', (f) => F.conv2d(f.x(), f.w(), { bias: f.x([5]) })),
  fixed('conv2d groups do not divide', (f) => F.conv2d(f.x([1, 4, 8, 8]), f.w([3, 2, 3, 3]), { groups: 2 })),
  fixed('batchNorm stats length', (f) => F.batchNorm(f.x(), f.mean(4), f.var(4))),
  fixed('batchNorm weight length', (f) => bn(f, { weight: f.x([2]) })),
  fixed('batchNorm one value per channel', (f) =>
    F.batchNorm(f.x([1, 3, 1, 1]), f.mean(), f.var(), { training: true }),
  ),
  fixed('maxPool2d kernel larger than input', (f) => F.maxPool2d(f.x([1, 1, 2, 2]), 5)),
  fixed('maxPool2d padding over half kernel', (f) => F.maxPool2d(f.x(), 2, { padding: 2 })),
  fixed('avgPool2d padding over half kernel', (f) => F.avgPool2d(f.x(), 2, { padding: 2 })),
  fixed('adaptiveAvgPool2d rank 1', (f) => F.adaptiveAvgPool2d(f.x([5]), 2)),
  fixed('linear mismatch', (f) => F.linear(f.x([2, 5]), f.w([3, 4]))),
  fixed('linear bias length', (f) => F.linear(f.x([2, 4]), f.w([3, 4]), f.x([2]))),
  fixed('matmul mismatch', (f) => f.x([2, 3]).matmul(f.x([4, 5]))),
  fixed('matmul 0-d', (f) => f.x([]).matmul(f.x([]))),
  fixed('add not broadcastable', (f) => f.x([2, 3]).add(f.x([4]))),
  fixed('div not broadcastable', (f) => f.x([2, 3]).div(f.x([3, 2]))),
  fixed('crossEntropy batch mismatch', (f) => F.crossEntropy(f.x([4, 5]), f.target(3))),
  fixed('crossEntropy class out of range', (f) => F.crossEntropy(f.x([4, 5]), f.k(tensor([0n, 7n, 1n, 2n])))),
  fixed('crossEntropy weight length', (f) => ce(f, { weight: f.x([3]) })),
  fixed('nllLoss negative class', (f) => F.nllLoss(f.x([4, 5]), f.k(tensor([0n, -3n, 1n, 2n])))),
  fixed('softmax dim out of range', (f) => f.x([2, 3]).softmax(2)),
  fixed('topk k too large', (f) => f.x([2, 3]).topk(4)),
  fixed('pad reflect too wide', (f) => F.pad(f.x([1, 2, 3, 3]), [3, 3, 3, 3], { mode: 'reflect' })),
  fixed('zeros of 2**80 elements', () => zeros([2 ** 40, 2 ** 40])),
  fixed('item of many', (f) => f.x([2, 3]).item()),
  fixed('backward of non-scalar', (f) => f.grad([2, 3]).mul(2).backward()),
  fixed('backward without grad', (f) => f.x([1]).sum().backward()),
  fixed('backward grad shape', (f) =>
    f
      .grad([2])
      .mul(2)
      .backward(f.x([3])),
  ),
  // dtypes an op does not take
  fixed('conv2d int64 input', (f) => F.conv2d(f.ints([2, 3, 8, 8]), f.w())),
  fixed('conv2d int32 input', (f) => F.conv2d(f.ints([2, 3, 8, 8], 'int32'), f.w())),
  fixed('conv2d float64 input, float32 weight', (f) => F.conv2d(f.x64([2, 3, 8, 8]), f.w())),
  fixed('linear int64 input', (f) => F.linear(f.ints([2, 4]), f.w([3, 4]))),
  fixed('matmul int32 @ float32', (f) => f.ints([2, 3], 'int32').matmul(f.x([3, 2]))),
  fixed('batchNorm int64', (f) => F.batchNorm(f.ints([2, 3, 4, 4]), f.mean(), f.var())),
  fixed('crossEntropy float target', (f) => F.crossEntropy(f.x([4, 5]), f.x([4]))),
  fixed('crossEntropy int32 target', (f) => F.crossEntropy(f.x([4, 5]), f.ints([4], 'int32'))),
  fixed('softmax int64', (f) => F.softmax(f.ints([2, 3]), 1)),
  fixed('requiresGrad on int64', () => tensor([1n, 2n], { requiresGrad: true })),
  // disposed tensors
  disposed('dataSync', (_f, d) => d.dataSync()),
  disposed('item', (_f, d) => d.item()),
  disposed('add (self)', (f, d) => d.add(f.x())),
  disposed('add (other)', (f, d) => f.x().add(d)),
  disposed('sum', (_f, d) => d.sum()),
  disposed('reshape', (_f, d) => d.reshape([-1])),
  disposed('to', (_f, d) => d.to('float64')),
  disposed('clone', (_f, d) => d.clone()),
  disposed('backward', (_f, d) => d.backward()),
  disposed('matmul', (f, d) => f.x([8, 2]).matmul(d)),
  disposed('conv2d input', (f, d) => F.conv2d(d, f.w())),
  disposed('conv2d weight', (f, d) => F.conv2d(f.x(), d)),
  disposed('conv2d bias', (f, d) => F.conv2d(f.x(), f.w(), { bias: d })),
  disposed('batchNorm runningVar', (f, d) => F.batchNorm(f.x(), f.mean(), d)),
  disposed('relu', (_f, d) => F.relu(d)),
  disposed('maxPool2d', (_f, d) => F.maxPool2d(d, 2)),
  disposed('linear', (f, d) => F.linear(f.x([2, 8]), d)),
  disposed('crossEntropy target', (f, d) => F.crossEntropy(f.x([4, 5]), d)),
];

const normalize = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
function show(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'function') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  return JSON.stringify(v) ?? String(v);
}

/** Runs one wrong call; returns what is wrong with its outcome, or null when it threw properly. */
function check(spec: Spec, bad: unknown): string | null {
  const f = new Fx();
  try {
    const result = spec.call(f, bad);
    if (result !== null && typeof result === 'object' && 'dispose' in result) (result as Tensor).dispose();
    return 'did not throw';
  } catch (err) {
    if (!(err instanceof ResnetNativeError)) {
      const e = err as Error | undefined;
      return `threw ${e?.constructor?.name ?? typeof err}, not a ResnetNativeError: ${String(e?.message ?? err)}`;
    }
    const e: ResnetNativeError = err; // keeps `err` typed when the next check fails
    if (spec.want && !(e instanceof spec.want)) {
      return `threw ${err.name}, not a ${spec.want.name}: ${err.message}`;
    }
    if (/Exception raised from|frame #\d/.test(err.message)) {
      return `message has a C++ backtrace: ${err.message}`;
    }
    if (spec.arg !== undefined && !normalize(err.message).includes(normalize(spec.arg))) {
      return `message does not name ${spec.arg}: ${err.name}: ${err.message}`;
    }
    return null;
  } finally {
    for (const t of f.made) if (!t.isDisposed) t.dispose();
  }
}

describe(`wrong calls throw library errors (FUZZ_SEED=${SEED})`, () => {
  it(`${CALLS} seeded calls: every wrong value of every argument first, then random picks`, () => {
    const problems = new Map<string, string>();
    const run = (spec: Spec, bad: unknown): void => {
      const problem = check(spec, bad);
      if (problem === null) return;
      // libtorch's dispatcher errors list every backend: the first 300 characters say enough.
      const short = problem.length > 300 ? `${problem.slice(0, 300)}...` : problem;
      problems.set(`${spec.name}${spec.bad ? ` = ${show(bad)}` : ''}`, short);
    };
    const start = Date.now();
    let calls = 0;
    for (const spec of SPECS) {
      for (const bad of spec.bad ?? [undefined]) {
        run(spec, bad);
        calls++;
      }
    }
    for (; calls < CALLS && Date.now() - start < BUDGET_MS; calls++) {
      const spec = pick(SPECS);
      run(spec, spec.bad === undefined ? undefined : pick(spec.bad));
    }
    console.log(`[fuzz] ${calls} calls in ${Date.now() - start} ms, ${problems.size} distinct problems`);
    expect([...problems].map(([call, problem]) => `${call}: ${problem}`)).toEqual([]);
  });
});
