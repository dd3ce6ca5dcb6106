/**
 * The wrong calls, by section, each with the one error class it must throw: ArgumentError
 * (DTypeError, DeviceError) from the library's own checks, which name the argument;
 * ShapeError where the library checks shapes itself; TorchError where it leaves a shape or
 * range to libtorch, whose message is PyTorch's; DTypeError for every dtype an op does not take.
 */
import {
  ArgumentError, DeviceError, DisposedError, DTypeError, nn, randn, ShapeError, tensor, TorchError, where, zeros,
  type DType, type ResnetNativeError, type Tensor,
} from '../../lib/index.js'; // prettier-ignore
import * as V from './values.js';

const F = nn.functional;

/** Valid tensors, made fresh per call and disposed after it. */
export class Fx {
  readonly made: Tensor[] = [];
  k<T extends Tensor>(t: T): T {
    this.made.push(t);
    return t;
  }
  x = (shape = [2, 3, 8, 8], dtype: DType = 'float32'): Tensor => this.k(randn(shape, { dtype }));
  w = (shape = [4, 3, 3, 3]): Tensor => this.k(randn(shape));
  ints = (shape: number[], dtype: DType = 'int64'): Tensor => this.k(zeros(shape, { dtype }));
  target = (n = 4, c = 5): Tensor =>
    this.k(tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i % c))));
  mean = (c = 3): Tensor => this.k(zeros([c]));
  var = (c = 3): Tensor => this.k(zeros([c]).add(1));
  grad = (shape: number[]): Tensor => this.k(randn(shape, { requiresGrad: true }));
  disposed(shape = [2, 3, 8, 8]): Tensor {
    const t = randn(shape);
    t.dispose();
    return t;
  }
}

type Call = (f: Fx, v: unknown) => unknown;
export interface Spec {
  name: string;
  /** The one error class the call must throw. */
  want: typeof ResnetNativeError;
  /** The argument the message must name, as a word (the library's own checks). */
  arg?: string;
  /** Wrong values tried one by one in the first phase. */
  bad?: readonly unknown[];
  /** Fresh wrong values for the random phase. */
  gen?: V.Gen;
  call: Call;
}

/** A wrong value for argument `arg`, refused by the library with class `want`. */
const arg = (name: string, a: string, bad: readonly unknown[], gen: V.Gen, call: Call, want = ArgumentError): Spec => ({
  name, arg: a, bad, gen, call, want,
}); // prettier-ignore
/** A wrong call, with random variants from `gen` when given. */
const fixed = (name: string, want: typeof ResnetNativeError, call: Call, gen?: V.Gen): Spec => ({
  name, want, call, ...(gen ? { gen } : {}),
}); // prettier-ignore
const disposed = (name: string, call: (f: Fx, d: Tensor) => unknown): Spec =>
  fixed(`disposed: ${name}`, DisposedError, (f) => call(f, f.disposed()));
/** A call whose tensor named `a` has dtype `dtype`: refused with DTypeError naming `a`. */
const dtype = (name: string, a: string, dtypes: readonly DType[], call: (f: Fx, d: DType) => unknown): Spec =>
  arg(
    name,
    a,
    dtypes,
    (r) => r.pick(dtypes),
    (f, v) => call(f, v as DType),
    DTypeError,
  );

const NOT_A_TENSOR = ['x', '', 1, NaN, {}, [], [1, 2], true, 1n, () => 1, Symbol('s'), new Float32Array(4)];
const REQUIRED = [...NOT_A_TENSOR, undefined, null, { shape: [2], dtype: 'float32' }];
const BAD_PAIR = ['2', {}, NaN, Infinity, -1, 1.5, [], [1, 2, 3], [1, NaN], [1, '2'], [2, -1], [1.5, 1]];
const BAD_PAIR_ODD = [...BAD_PAIR, true, 1n, Symbol('p'), 2 ** 53];
const BAD_POSITIVE_PAIR = [...BAD_PAIR_ODD, 0, [1, 0]];
const BAD_BOOL = ['yes', {}, [], 1, NaN, Symbol('b')];
const BAD_NUMBER = ['0.1', {}, [], true, Symbol('n'), 1n];
const BAD_DIM = [1.5, NaN, '0', {}, Infinity, true];
const BAD_OTHER = ['1', {}, undefined, null, [1], true, Symbol('a')];
/** where's branches take booleans too. */
const BAD_BRANCH = BAD_OTHER.filter((v) => typeof v !== 'boolean');
const INTEGER: readonly DType[] = ['int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
const NOT_INT64: readonly DType[] = ['int32', 'int16', 'int8', 'uint8', 'float32', 'float64'];

const A = (v: unknown): never => v as never; // lets a wrong value through the type checker
const conv = (f: Fx, o: unknown): unknown => F.conv2d(f.x(), f.w(), A(o));
const bn = (f: Fx, o: unknown): unknown => F.batchNorm(f.x(), f.mean(), f.var(), A(o));
const ce = (f: Fx, o: unknown): unknown => F.crossEntropy(f.x([4, 5]), f.target(), A(o));
const reductions = ['none', 'mean', 'sum'];

export const SPECS: Spec[] = [
  // wrong argument types and values: the library's checks, naming the argument
  arg('conv2d input', 'input', REQUIRED, V.required, (f, v) => F.conv2d(A(v), f.w())),
  arg('conv2d weight', 'weight', REQUIRED, V.required, (f, v) => F.conv2d(f.x(), A(v))),
  arg('conv2d bias', 'bias', NOT_A_TENSOR, V.notTensor, (f, v) => conv(f, { bias: v })),
  arg('conv2d stride', 'stride', BAD_POSITIVE_PAIR, V.badPair(1), (f, v) => conv(f, { stride: v })),
  arg('conv2d padding', 'padding', BAD_PAIR_ODD, V.badPair(0), (f, v) => conv(f, { padding: v })),
  arg('conv2d dilation', 'dilation', BAD_POSITIVE_PAIR, V.badPair(1), (f, v) => conv(f, { dilation: v })),
  arg('conv2d groups', 'groups', [0, -1, 1.5, NaN, '1', {}, [1], Infinity], V.badInt(1), (f, v) =>
    conv(f, { groups: v }),
  ),
  arg('conv2d options', 'options', ['opts', 3, [], true, Symbol('o')], V.notAnObject, conv),
  arg('maxPool2d kernelSize', 'kernelSize', [...BAD_POSITIVE_PAIR, undefined], V.badPair(1), (f, v) =>
    F.maxPool2d(f.x(), A(v)),
  ),
  arg('maxPool2d stride', 'stride', BAD_POSITIVE_PAIR, V.badPair(1), (f, v) =>
    F.maxPool2d(f.x(), 2, A({ stride: v })),
  ),
  arg('maxPool2d ceilMode', 'ceilMode', BAD_BOOL, V.badBool, (f, v) =>
    F.maxPool2d(f.x(), 2, A({ ceilMode: v })),
  ),
  arg('avgPool2d padding', 'padding', BAD_PAIR, V.badPair(0), (f, v) =>
    F.avgPool2d(f.x(), 3, A({ padding: v })),
  ),
  arg('avgPool2d countIncludePad', 'countIncludePad', BAD_BOOL, V.badBool, (f, v) =>
    F.avgPool2d(f.x(), 3, A({ countIncludePad: v })),
  ),
  arg('adaptiveAvgPool2d outputSize', 'outputSize', [...BAD_PAIR, undefined], V.badPair(0), (f, v) =>
    F.adaptiveAvgPool2d(f.x(), A(v)),
  ),
  arg('batchNorm runningMean', 'runningMean', NOT_A_TENSOR, V.notTensor, (f, v) =>
    F.batchNorm(f.x(), A(v), f.var()),
  ),
  arg('batchNorm momentum', 'momentum', BAD_NUMBER, V.badFinite, (f, v) =>
    bn(f, { training: true, momentum: v }),
  ),
  arg('batchNorm eps', 'eps', BAD_NUMBER, V.badFinite, (f, v) => bn(f, { eps: v })),
  arg('batchNorm training', 'training', BAD_BOOL, V.badBool, (f, v) => bn(f, { training: v })),
  arg('batchNorm weight', 'weight', NOT_A_TENSOR, V.notTensor, (f, v) => bn(f, { weight: v })),
  arg('linear weight', 'weight', REQUIRED, V.required, (f, v) => F.linear(f.x([2, 4]), A(v))),
  arg('crossEntropy target', 'target', REQUIRED, V.required, (f, v) => F.crossEntropy(f.x([4, 5]), A(v))),
  arg(
    'crossEntropy reduction',
    'reduction',
    ['avg', '', 1, {}, Symbol('r')],
    V.badChoice(reductions),
    (f, v) => ce(f, { reduction: v }),
  ),
  arg('crossEntropy labelSmoothing', 'labelSmoothing', [...BAD_NUMBER, -0.1, 1.5, NaN],
    (r) => r.one(V.badFinite, (q) => (q.next() < 0.5 ? -1e-9 - q.next() : 1 + 1e-9 + q.next())), (f, v) => ce(f, { labelSmoothing: v })), // prettier-ignore
  arg('nllLoss weight', 'weight', NOT_A_TENSOR, V.notTensor, (f, v) =>
    F.nllLoss(f.x([4, 5]), f.target(), A({ weight: v })),
  ),
  arg('pad pads', 'pads', ['x', NaN, {}, [1], [1, 2, 3], [1.5, 1], ['a', 1]], V.badPads, (f, v) =>
    F.pad(f.x(), A(v)),
  ),
  arg('pad mode', 'mode', ['mirror', 1, {}, Symbol('m')], V.badChoice(['constant', 'reflect', 'replicate', 'circular']),
    (f, v) => F.pad(f.x(), [1, 1], A({ mode: v }))), // prettier-ignore
  arg('softmax dim', 'dim', [...BAD_DIM, undefined], V.badDims, (f, v) => F.softmax(f.x([2, 3]), A(v))),
  arg('sum dim', 'dim', BAD_DIM, V.badDims, (f, v) => f.x([2, 3]).sum(A(v))),
  arg('mean keepdim', 'keepdim', BAD_BOOL, V.badBool, (f, v) => f.x([2, 3]).mean(0, A(v))),
  arg('argmax dim', 'dim', BAD_DIM, V.badDims, (f, v) => f.x([2, 3]).argmax(A(v))),
  arg('topk k', 'k', [-1, 1.5, NaN, '1', {}, undefined], V.badInt(0), (f, v) => f.x([2, 3]).topk(A(v))),
  arg('add other', 'other', BAD_OTHER, V.notOperand, (f, v) => f.x().add(A(v))),
  arg('mul other', 'other', BAD_OTHER, V.notOperand, (f, v) => f.x().mul(A(v))),
  // the Tensor API of issue 16
  arg('where input', 'input', BAD_BRANCH, V.notBranch, (f, v) => where(f.x([2]).gt(0), A(v), 0)),
  arg('where other', 'other', BAD_BRANCH, V.notBranch, (f, v) => where(f.x([2]).gt(0), 1, A(v))),
  arg('scatter dim', 'dim', BAD_DIM, V.badDims, (f, v) => f.x([2, 3]).scatter(A(v), f.ints([1, 3]), 1)),
  arg('scatter index', 'index', NOT_A_TENSOR, V.notTensor, (f, v) => f.x([2, 3]).scatter(0, A(v), 1)),
  arg('scatter_ src', 'src', BAD_OTHER, V.notOperand, (f, v) =>
    f.x([2, 3]).scatter_(0, f.ints([1, 3]), A(v)),
  ),
  arg('maskedSelect mask', 'mask', NOT_A_TENSOR, V.notTensor, (f, v) => f.x([2]).maskedSelect(A(v))),
  arg('index indices', 'indices', NOT_A_TENSOR, V.notTensor, (f, v) => f.x([2]).index(A(v))),
  arg('slice start', 'start', BAD_DIM, V.badDims, (f, v) => f.x([2, 3]).slice(0, A(v))),
  arg('slice end', 'end', BAD_DIM, V.badDims, (f, v) => f.x([2, 3]).slice(0, 0, A(v))),
  arg('argsort descending', 'descending', BAD_BOOL, V.badBool, (f, v) =>
    f.x([2]).argsort(A({ descending: v })),
  ),
  arg('isclose other', 'other', NOT_A_TENSOR, V.notTensor, (f, v) => f.x([2]).isclose(A(v))),
  arg('isclose rtol', 'rtol', [-1, NaN, '1e-5', {}, true],
    (r) => r.one<unknown>((q) => -q.int(1, 100) - 0.5, () => NaN, (q) => `${q.str()}x`),
    (f, v) => f.x([2]).isclose(f.x([2]), A({ rtol: v }))), // prettier-ignore
  arg('allclose equalNan', 'equalNan', BAD_BOOL, V.badBool, (f, v) =>
    f.x([2]).allclose(f.x([2]), A({ equalNan: v })),
  ),
  arg('reshape shape', 'shape', ['x', [-2, 3], [1.5, 4], [NaN], {}], V.badShape(-1), (f, v) =>
    f.x([2, 3]).reshape(A(v)),
  ),
  arg('to target', 'target', ['float128', 'tpu', 'cuda:x', 1, {}, undefined], V.badChoice(['float32', 'cpu']),
    (f, v) => f.x([2]).to(A(v)), DTypeError), // prettier-ignore
  fixed(
    'to a missing device',
    DeviceError,
    (f, v) => f.x([2]).to(A(v ?? 'cuda:999')),
    (r) => `cuda:${r.int(64, 999)}`,
  ),
  arg('tensor data', 'data', ['abc', {}, [1, 'a'], undefined, null, Symbol('d')],
    (r) => r.one((q) => q.str(), () => ({}), (q) => [q.fraction(), q.str()]), (_, v) => tensor(A(v))), // prettier-ignore
  arg('tensor shape', 'shape', ['x', [-2, -3], [2.5, 2], [NaN], {}], V.badShape(0), (_, v) =>
    tensor(new Float32Array(6), A({ shape: v })),
  ),
  arg('tensor dtype', 'dtype', ['float128', 'Float32', 1, {}], V.badChoice(['float32', 'int64']),
    (_, v) => tensor([1, 2], A({ dtype: v })), DTypeError), // prettier-ignore
  arg('zeros shape', 'shape', [-1, [-1], [1.5], 'x', [NaN], {}], V.badShape(0), (_, v) => zeros(A(v))),
  // shapes that do not fit: checked by the library (ShapeError) or left to libtorch (TorchError)
  fixed(
    'tensor data ragged',
    ShapeError,
    (_, v) => tensor(A(v ?? [[1, 2], [3]])),
    (r) => [[r.fraction(), 1], [r.fraction()]],
  ),
  fixed(
    'tensor shape of another size',
    ShapeError,
    (_, v) => tensor(new Float32Array(6), A({ shape: v ?? [4, 2] })),
    V.shapeNotOf(6),
  ),
  fixed('reshape to another size', TorchError, (f, v) => f.x([2, 3]).reshape(A(v ?? [7])), V.shapeNotOf(6)),
  fixed('softmax dim out of range', TorchError, (f, v) => f.x([2, 3]).softmax(A(v ?? 2)), V.dimOutside(2)),
  fixed('sum dim out of range', TorchError, (f, v) => f.x([2, 3]).sum(A(v ?? [9])), V.dimOutside(2)),
  fixed('sum dim twice', TorchError, (f) => f.x([2, 3]).sum([0, 0])),
  fixed('argmax dim out of range', TorchError, (f, v) => f.x([2, 3]).argmax(A(v ?? -6)), V.dimOutside(2)),
  fixed(
    'topk k too large',
    TorchError,
    (f, v) => f.x([2, 3]).topk(A(v ?? 4)),
    (r) => r.int(4, 1e6),
  ),
  fixed('pad longer than the dims', TorchError, (f, v) => F.pad(f.x(), A(v ?? new Array(10).fill(1))),
    (r) => new Array(2 * r.int(5, 20)).fill(r.int(0, 3))), // prettier-ignore
  fixed(
    'conv2d groups do not divide input channels',
    TorchError,
    (f, v) => conv(f, { groups: v ?? 2 }),
    (r) => r.int(2, 1e4),
  ),
  fixed('conv2d weight rank 3', TorchError, (f) => F.conv2d(f.x(), f.w([4, 3, 3]))),
  fixed('conv2d input rank 2', TorchError, (f) => F.conv2d(f.x([3, 8]), f.w())),
  fixed(
    'conv2d channel mismatch',
    TorchError,
    (f, v) => F.conv2d(f.x(), f.w([4, A(v ?? 5), 3, 3])),
    (r) => r.pick([1, 2, 4, 5, 6, 9]),
  ),
  fixed(
    'conv2d kernel larger than input',
    TorchError,
    (f, v) => F.conv2d(f.x([1, 3, 2, 2]), f.w([4, 3, A(v ?? 3), 3])),
    (r) => r.int(3, 30),
  ),
  fixed(
    'conv2d bias length',
    TorchError,
    (f, v) => F.conv2d(f.x(), f.w(), { bias: f.x([A(v ?? 5)]) }),
    (r) => r.pick([1, 2, 3, 5, 8]),
  ),
  fixed('conv2d groups do not divide', TorchError, (f) =>
    F.conv2d(f.x([1, 4, 8, 8]), f.w([3, 2, 3, 3]), { groups: 2 }),
  ),
  fixed(
    'batchNorm stats length',
    TorchError,
    (f, v) => F.batchNorm(f.x(), f.mean(A(v ?? 4)), f.var(A(v ?? 4))),
    (r) => r.pick([1, 2, 4, 7]),
  ),
  fixed(
    'batchNorm weight length',
    TorchError,
    (f, v) => bn(f, { weight: f.x([A(v ?? 2)]) }),
    (r) => r.pick([1, 2, 4, 7]),
  ),
  fixed('batchNorm one value per channel', ShapeError, (f) =>
    F.batchNorm(f.x([1, 3, 1, 1]), f.mean(), f.var(), { training: true }),
  ),
  fixed(
    'maxPool2d kernel larger than input',
    TorchError,
    (f, v) => F.maxPool2d(f.x([1, 1, 2, 2]), A(v ?? 5)),
    (r) => r.int(3, 99),
  ),
  fixed('maxPool2d padding over half kernel', TorchError, (f) => F.maxPool2d(f.x(), 2, { padding: 2 })),
  fixed('avgPool2d padding over half kernel', TorchError, (f) => F.avgPool2d(f.x(), 2, { padding: 2 })),
  fixed('adaptiveAvgPool2d rank 1', TorchError, (f) => F.adaptiveAvgPool2d(f.x([5]), 2)),
  fixed(
    'linear mismatch',
    TorchError,
    (f, v) => F.linear(f.x([2, A(v ?? 5)]), f.w([3, 4])),
    (r) => r.pick([1, 2, 3, 5, 9]),
  ),
  fixed('linear bias length', TorchError, (f) => F.linear(f.x([2, 4]), f.w([3, 4]), f.x([2]))),
  fixed(
    'matmul mismatch',
    TorchError,
    (f, v) => f.x([2, 3]).matmul(f.x([A(v ?? 4), 5])),
    (r) => r.pick([1, 2, 4, 5, 9]),
  ),
  fixed('matmul 0-d', TorchError, (f) => f.x([]).matmul(f.x([]))),
  fixed(
    'add not broadcastable',
    TorchError,
    (f, v) => f.x([2, 3]).add(f.x([A(v ?? 4)])),
    (r) => r.int(4, 99),
  ),
  fixed('div not broadcastable', TorchError, (f) => f.x([2, 3]).div(f.x([3, 2]))),
  fixed(
    'crossEntropy batch mismatch',
    TorchError,
    (f, v) => F.crossEntropy(f.x([4, 5]), f.target(A(v ?? 3))),
    (r) => r.pick([1, 2, 3, 5, 9]),
  ),
  fixed(
    'crossEntropy class out of range',
    TorchError,
    (f, v) => F.crossEntropy(f.x([4, 5]), f.k(tensor([0n, BigInt(A(v ?? 7)), 1n, 2n]))),
    (r) => r.int(5, 1e6),
  ),
  fixed('crossEntropy weight length', TorchError, (f) => ce(f, { weight: f.x([3]) })),
  fixed(
    'nllLoss negative class',
    TorchError,
    (f, v) => F.nllLoss(f.x([4, 5]), f.k(tensor([0n, BigInt(A(v ?? -3)), 1n, 2n]))),
    (r) => -r.int(1, 99),
  ),
  fixed('pad reflect too wide', TorchError, (f) =>
    F.pad(f.x([1, 2, 3, 3]), [3, 3, 3, 3], { mode: 'reflect' }),
  ),
  fixed('zeros of 2**80 elements', TorchError, () => zeros([2 ** 40, 2 ** 40])),
  fixed('item of many', ShapeError, (f) => f.x([2, 3]).item()),
  fixed('backward of non-scalar', ShapeError, (f) => f.grad([2, 3]).mul(2).backward()),
  fixed('backward without grad', ArgumentError, (f) => f.x([1]).sum().backward()),
  fixed('backward grad shape', TorchError, (f) =>
    f
      .grad([2])
      .mul(2)
      .backward(f.x([3])),
  ),
  // dtypes an op does not take: the library's checks, naming the tensor
  dtype('conv2d integer input', 'input', INTEGER, (f, d) => F.conv2d(f.ints([2, 3, 8, 8], d), f.w())),
  dtype('conv2d float64 input, float32 weight', 'weight', ['float64'], (f, d) =>
    F.conv2d(f.x([2, 3, 8, 8], d), f.w()),
  ),
  dtype('conv2d float64 bias', 'bias', ['float64'], (f, d) => conv(f, { bias: f.x([4], d) })),
  dtype('linear integer input', 'input', INTEGER, (f, d) => F.linear(f.ints([2, 4], d), f.w([3, 4]))),
  dtype('maskedSelect non-bool mask', 'mask', ['uint8', 'int64', 'float32'], (f, d) =>
    f.x([2]).maskedSelect(f.ints([2], d)),
  ),
  dtype('scatter index not int64', 'index', NOT_INT64, (f, d) =>
    f.x([2, 3]).scatter(0, f.ints([1, 3], d), 1),
  ),
  dtype('index float indices', 'indices', ['float32', 'int32', 'uint8'], (f, d) =>
    f.x([2]).index(f.ints([1], d)),
  ),
  dtype('mm float32 @ float64', 'other', ['float64'], (f, d) => f.x([2, 3]).mm(f.x([3, 2], d))),
  dtype('matmul integer @ float32', 'other', INTEGER, (f, d) => f.ints([2, 3], d).matmul(f.x([3, 2]))),
  dtype('batchNorm integer input', 'input', INTEGER, (f, d) =>
    F.batchNorm(f.ints([2, 3, 4, 4], d), f.mean(), f.var()),
  ),
  dtype('crossEntropy target not int64', 'target', NOT_INT64, (f, d) =>
    F.crossEntropy(f.x([4, 5]), f.k(zeros([4], { dtype: d }))),
  ),
  dtype('nllLoss integer input', 'input', INTEGER, (f, d) => F.nllLoss(f.ints([4, 5], d), f.target())),
  dtype('softmax integer input', 'input', INTEGER, (f, d) => F.softmax(f.ints([2, 3], d), 1)),
  dtype('logSoftmax integer input', 'input', INTEGER, (f, d) => f.ints([2, 3], d).logSoftmax(1)),
  dtype('requiresGrad on an integer tensor', 'requiresGrad', INTEGER, (f, d) =>
    f.k(zeros([2], { dtype: d, requiresGrad: true })),
  ),
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
