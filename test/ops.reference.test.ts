/**
 * Every op against real PyTorch: forward results and the gradients of every input, for random
 * shapes and options drawn by scripts/gen_reference.py from a fresh seed (printed; REF_SEED=<n>
 * reproduces a run). Each case runs in float64 (tolerance "float64") and again with its inputs
 * cast to float32, judged against the same float64 reference (tolerance "float32": the issue's
 * "relative error under 1e-5 against a float64 reference").
 */
import { afterAll, describe, expect, it } from 'vitest';

import { nn, Tensor } from '../lib/index.js';
import { expectClose, type ToleranceKind } from './helpers/compare.js';
import { loadReference, type CaseOptions, type RefCase } from './helpers/reference.js';

const F = nn.functional;
const ref = loadReference();

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
};

/** Worst relative error per op and dtype, printed at the end. */
const worst = new Map<string, Record<ToleranceKind, number>>();
function record(op: string, dtype: ToleranceKind, err: number): void {
  const w = worst.get(op) ?? { float64: 0, float32: 0 };
  w[dtype] = Math.max(w[dtype], err);
  worst.set(op, w);
}

function runCase(c: RefCase, dtype: ToleranceKind): void {
  const label = (what: string): string => `${c.op}.${c.index} ${what} [${dtype}, REF_SEED=${ref.seed}]`;
  const runner = RUNNERS[c.op];
  if (runner === undefined) throw new Error(`no runner for op ${c.op}`);
  const made: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (made.push(t), t);
  try {
    const inputs: Record<string, Tensor> = {};
    for (const [k, name] of Object.entries(c.inputs)) {
      inputs[k] = keep(ref.tensor(name, { dtype, requiresGrad: c.grads?.[k] !== undefined }));
    }
    const result = runner(new Args(inputs), c.options);
    const outs: Record<string, Tensor> = result instanceof Tensor ? { out: result } : result;
    for (const [k, name] of Object.entries(c.outputs)) {
      const actual = outs[k];
      if (actual === undefined) throw new Error(label(`produced no output ${k}`));
      record(c.op, dtype, expectClose(actual, keep(ref.tensor(name)), dtype, label(k)));
    }
    if (c.gradOutput === undefined) return;
    const out = outs['out'];
    if (out === undefined) throw new Error(label('has gradients but no output "out"'));
    const g = keep(ref.tensor(c.gradOutput, { dtype }));
    out.mul(g).sum().backward();
    for (const [k, name] of Object.entries(c.grads ?? {})) {
      const grad = inputs[k]?.grad;
      if (grad === null || grad === undefined)
        throw new Error(label(`grad of ${k} is null after backward()`));
      record(c.op, dtype, expectClose(grad, keep(ref.tensor(name)), dtype, label(`grad.${k}`)));
    }
  } finally {
    for (const t of made) if (!t.isDisposed) t.dispose();
  }
}

describe(`ops agree with PyTorch (REF_SEED=${ref.seed})`, () => {
  it('covers every op of the reference, and the reference covers every runner', () => {
    const ops = new Set(ref.cases.map((c) => c.op));
    expect([...ops].sort()).toEqual(Object.keys(RUNNERS).sort());
    for (const op of ops) expect(ref.cases.filter((c) => c.op === op).length).toBeGreaterThanOrEqual(6);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    describe(dtype, () => {
      for (const c of ref.cases) {
        it(`${c.op}.${c.index} ${JSON.stringify(c.options)}`, () => runCase(c, dtype));
      }
    });
  }

  afterAll(() => {
    const rows = [...worst].map(
      ([op, w]) =>
        `  ${op.padEnd(20)} ${w.float64.toExponential(2).padStart(10)} ${w.float32.toExponential(2).padStart(10)}`,
    );
    console.log(
      `[reference] worst relative error per op (seed ${ref.seed})\n  ${'op'.padEnd(20)} ${'float64'.padStart(10)} ${'float32'.padStart(10)}\n${rows.join('\n')}`,
    );
  });
});
