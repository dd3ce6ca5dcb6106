/**
 * Every op against real PyTorch: forward results and the gradients of every input, for random
 * shapes and options drawn by scripts/gen_reference.py from a fresh seed (printed; REF_SEED=<n>
 * reproduces a run). Each case runs in float64 against PyTorch's float64 run (the portable
 * check) and with its inputs cast to float32 against PyTorch's float32 run, element by element
 * and dtype for dtype (test/tolerances.json): the library runs the same libtorch.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { nn, Tensor, tensor, where } from '../lib/index.js';
import { expectClose, report, toleranceFor } from './helpers/compare.js';
import { announceSkip, deviceSkip, TEST_DEVICE } from './helpers/device.js';
import { loadReference, type Json } from './helpers/reference.js';

const F = nn.functional;
const ref = await loadReference('ops');

/** The case's input tensors by argument name. */
class Args {
  constructor(private readonly map: Record<string, Tensor>) {}
  t(name: string): Tensor {
    const t = this.map[name];
    if (t === undefined) throw new Error(`case has no input ${name}`);
    return t;
  }
  /** `{ [name]: tensor }` when the case has the optional input, `{}` when not. */
  opt(name: string): Record<string, Tensor> {
    const t = this.map[name];
    return t === undefined ? {} : { [name]: t };
  }
}

/** Options as the TypeScript call takes them (JSON null stands for "not given"). */
type CaseOptions = Record<string, Json>;

/** The options `keys` of `o` that were given (JSON null means PyTorch's None: leave it out). */
function given(o: CaseOptions, ...keys: string[]): CaseOptions {
  const out: CaseOptions = {};
  for (const k of keys) if (o[k] !== null && o[k] !== undefined) out[k] = o[k];
  return out;
}

type Result = Tensor | Record<string, Tensor>;
type Runner = (x: Args, o: CaseOptions) => Result;

const binary = (f: (a: Tensor, b: Tensor | number) => Tensor): Runner => {
  return (x, o) => f(x.t('input'), typeof o['scalar'] === 'number' ? o['scalar'] : x.t('other'));
};
const reduce = (f: (a: Tensor, dim?: number | number[], keepdim?: boolean) => Tensor): Runner => {
  return (x, o) => (o['dim'] === null ? f(x.t('input')) : f(x.t('input'), o['dim'], o['keepdim']));
};

/** where's branch `name`: the number or boolean of the case's options, or its tensor input. */
const branch = (x: Args, o: CaseOptions, name: string): Tensor | number | boolean =>
  typeof o[name] === 'number' || typeof o[name] === 'boolean' ? o[name] : x.t(name);

/** One runner per op of cases.json, through the library's public API. */
const RUNNERS: Record<string, Runner> = {
  conv2d: (x, o) =>
    F.conv2d(x.t('input'), x.t('weight'), {
      ...x.opt('bias'),
      ...given(o, 'stride', 'padding', 'dilation', 'groups'),
    }),
  batch_norm: (x, o) => {
    const runningMean = x.t('runningMean');
    const runningVar = x.t('runningVar');
    const out = F.batchNorm(x.t('input'), runningMean, runningVar, {
      ...x.opt('weight'),
      ...x.opt('bias'),
      ...given(o, 'training', 'momentum', 'eps'),
    });
    return { out, runningMean, runningVar };
  },
  relu: (x) => F.relu(x.t('input')),
  max_pool2d: (x, o) =>
    F.maxPool2d(x.t('input'), o['kernelSize'], given(o, 'stride', 'padding', 'dilation', 'ceilMode')),
  avg_pool2d: (x, o) =>
    F.avgPool2d(x.t('input'), o['kernelSize'], given(o, 'stride', 'padding', 'ceilMode', 'countIncludePad')),
  adaptive_avg_pool2d: (x, o) => F.adaptiveAvgPool2d(x.t('input'), o['outputSize']),
  linear: (x) => {
    const bias = x.opt('bias')['bias'];
    return bias === undefined
      ? F.linear(x.t('input'), x.t('weight'))
      : F.linear(x.t('input'), x.t('weight'), bias);
  },
  matmul: (x) => x.t('input').matmul(x.t('other')),
  add: binary((a, b) => a.add(b)),
  sub: binary((a, b) => a.sub(b)),
  mul: binary((a, b) => a.mul(b)),
  div: binary((a, b) => a.div(b)),
  exp: (x) => x.t('input').exp(),
  log: (x) => x.t('input').log(),
  softmax: (x, o) => F.softmax(x.t('input'), o['dim']),
  log_softmax: (x, o) => F.logSoftmax(x.t('input'), o['dim']),
  sum: reduce((a, dim, keepdim) => (dim === undefined ? a.sum() : a.sum(dim, keepdim))),
  mean: reduce((a, dim, keepdim) => (dim === undefined ? a.mean() : a.mean(dim, keepdim))),
  cross_entropy: (x, o) =>
    F.crossEntropy(x.t('input'), x.t('target'), {
      ...x.opt('weight'),
      ...given(o, 'labelSmoothing', 'reduction'),
    }),
  nll_loss: (x, o) =>
    F.nllLoss(x.t('input'), x.t('target'), { ...x.opt('weight'), ...given(o, 'reduction') }),
  pad: (x, o) => F.pad(x.t('input'), o['pads'], given(o, 'mode', 'value')),
  topk: (x, o) => {
    const { values, indices } = x.t('input').topk(o['k'], given(o, 'dim', 'largest', 'sorted'));
    return { values, indices };
  },
  argmax: (x, o) => (o['dim'] === null ? x.t('input').argmax() : x.t('input').argmax(o['dim'], o['keepdim'])),
  // the Tensor API of issue 16
  where: (x, o) => where(x.t('condition'), branch(x, o, 'input'), branch(x, o, 'other')),
  where_scalars: (x, o) => where(x.t('condition'), o['input'], o['other']),
  where_bools: (x, o) => where(x.t('condition'), branch(x, o, 'input'), branch(x, o, 'other')),
  masked_select: (x) => x.t('input').maskedSelect(x.t('mask')),
  index_mask: (x) => x.t('input').index(x.t('indices')),
  nonzero: (x) => x.t('input').nonzero(),
  scatter: (x, o) => x.t('input').scatter(o['dim'], x.t('index'), o['value'] ?? x.t('src')),
  scatter_: (x, o) =>
    x
      .t('input')
      .clone()
      .scatter_(o['dim'], x.t('index'), o['value'] ?? x.t('src')),
  argsort: (x, o) => x.t('input').argsort(given(o, 'dim', 'descending')),
  sort: (x, o) => {
    const { values, indices } = x.t('input').sort(given(o, 'dim', 'descending'));
    return { values, indices };
  },
  isclose: (x, o) => x.t('input').isclose(x.t('other'), given(o, 'rtol', 'atol', 'equalNan')),
  allclose: (x, o) => tensor(x.t('input').allclose(x.t('other'), given(o, 'rtol', 'atol', 'equalNan'))),
  t: (x) => x.t('input').t(),
  mm: (x) => x.t('input').mm(x.t('other')),
  bmm: (x) => x.t('input').bmm(x.t('other')),
  int: (x) => x.t('input').int(),
  long: (x) => x.t('input').long(),
  bool: (x) => x.t('input').bool(),
  half: (x) => x.t('input').half(),
  float: (x) => x.t('input').float(),
  slice: (x, o) => x.t('input').slice(o['dim'], o['start'], o['end'], o['step']),
};

/** Ops that have no gradient by declaration; every other op's cases must carry gradients. */
const NO_GRADIENT: Record<string, string> = {
  argmax: 'returns int64 indices, which are not differentiable',
  argsort: 'returns int64 indices, which are not differentiable',
  nonzero: 'returns int64 positions, which are not differentiable',
  where_scalars: 'has no tensor branch to differentiate',
  where_bools: 'returns a bool tensor',
  isclose: 'returns a bool tensor',
  allclose: 'returns a boolean',
  int: 'returns int32',
  long: 'returns int64',
  bool: 'returns bool',
};

/** One case of cases.json (see scripts/gen_reference.py). */
interface RefCase {
  op: string;
  index: number;
  options: CaseOptions;
  /** argument name -> tensor name; optional arguments that were not given are absent. */
  inputs: Record<string, string>;
  /** Per dtype of the run: output name -> tensor name, input name -> tensor name of its gradient. */
  float64: { outputs: Record<string, string>; grads: Record<string, string> };
  float32: { outputs: Record<string, string>; grads: Record<string, string> };
  /** The output `out` of `(out * g).sum().backward()`, and `g`; absent for ops without gradients. */
  gradOf?: string;
  gradOutput?: string;
}
const cases = ref.meta.cases as RefCase[];

function runCase(c: RefCase, dtype: 'float32' | 'float64'): void {
  const label = (what: string): string => `${c.op}.${c.index} ${what} [${dtype}, REF_SEED=${ref.seed}]`;
  const runner = RUNNERS[c.op];
  if (runner === undefined) throw new Error(`no runner for op ${c.op}`);
  const expected = c[dtype];
  const tol = toleranceFor(dtype, TEST_DEVICE);
  const made: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (made.push(t), t);
  try {
    const inputs: Record<string, Tensor> = {};
    for (const [k, name] of Object.entries(c.inputs)) {
      inputs[k] = keep(
        ref.tensor(name, { dtype, requiresGrad: expected.grads[k] !== undefined, device: TEST_DEVICE }),
      );
    }
    const result = runner(new Args(inputs), c.options);
    const outs: Record<string, Tensor> = result instanceof Tensor ? { out: result } : result;
    for (const [k, name] of Object.entries(expected.outputs)) {
      const actual = outs[k];
      if (actual === undefined) throw new Error(label(`produced no output ${k}`));
      expectClose(actual, keep(ref.tensor(name)), tol, label(k), `${c.op} ${dtype}`);
    }
    if (c.gradOf === undefined) {
      // Not skipped silently: only an op declared without gradient may come without them.
      if (NO_GRADIENT[c.op] === undefined) throw new Error(label('has no gradients in the reference'));
      return;
    }
    if (NO_GRADIENT[c.op] !== undefined) throw new Error(label('is declared without gradient but has one'));
    const out = outs[c.gradOf];
    if (out === undefined) throw new Error(label(`has gradients but no output "${c.gradOf}"`));
    const g = keep(ref.tensor(c.gradOutput!, { dtype, device: TEST_DEVICE }));
    out.mul(g).sum().backward();
    expect(Object.keys(expected.grads).length, label('gradients')).toBeGreaterThan(0);
    for (const [k, name] of Object.entries(expected.grads)) {
      const grad = inputs[k]?.grad;
      if (grad === null || grad === undefined)
        throw new Error(label(`grad of ${k} is null after backward()`));
      expectClose(grad, keep(ref.tensor(name)), tol, label(`grad.${k}`), `${c.op} ${dtype}`);
    }
  } finally {
    for (const t of made) if (!t.isDisposed) t.dispose();
  }
}

describe.skipIf(announceSkip(deviceSkip, 'ops reference'))(
  `ops agree with PyTorch on ${TEST_DEVICE} (REF_SEED=${ref.seed})`,
  () => {
    it('covers every op of the reference, and the reference covers every runner', () => {
      const ops = new Set(cases.map((c) => c.op));
      expect([...ops].sort()).toEqual(Object.keys(RUNNERS).sort());
      for (const op of ops) expect(cases.filter((c) => c.op === op).length).toBeGreaterThanOrEqual(6);
      for (const op of Object.keys(NO_GRADIENT)) expect(ops).toContain(op);
    });

    for (const dtype of ['float64', 'float32'] as const) {
      describe(dtype, () => {
        for (const c of cases) {
          it(`${c.op}.${c.index} ${JSON.stringify(c.options)}`, () => runCase(c, dtype));
        }
      });
    }

    afterAll(() => report(`ops, seed ${ref.seed}`));
  },
);
