/**
 * CPU bfloat16 autocast against PyTorch's `torch.autocast('cpu', dtype=torch.bfloat16)`
 * (scripts/gen_amp_reference.py): a torchvision resnet18's eval forward, training forward, loss,
 * parameter and input gradients and running statistics, each with PyTorch's dtype; and the output
 * dtype of single ops, which is torch.autocast's op lists at work. A captured forwardAsync under
 * autocast gives the eager autocast forward's result.
 */
import { afterAll, describe, expect, it } from 'vitest';

import {
  autocast,
  isAutocastEnabled,
  nn,
  noGrad,
  ones,
  randn,
  resnet18,
  tensor,
  zeros,
  type Tensor,
} from '../../lib/index.js';
import { expectClose, report, TOLERANCES } from '../helpers/compare.js';
import { loadReference, type Json } from '../helpers/reference.js';

const ref = await loadReference('amp');
const tol = TOLERANCES.bfloat16Autocast;
const F = nn.functional;
const bf16 = { deviceType: 'cpu' } as const;

function model() {
  const m = resnet18({ numClasses: 10 });
  const sd: Record<string, Tensor> = {};
  for (const k of Object.keys(m.stateDict())) sd[k] = ref.tensor(`resnet18.state.${k}`);
  m.loadStateDict(sd);
  for (const t of Object.values(sd)) t.dispose();
  return m;
}

/** Our result has PyTorch's dtype and, as float32 (bfloat16 widens exactly), its values. */
function check(actual: Tensor, name: string): void {
  const dtypes = ref.meta.resnet18.dtypes as Record<string, string>;
  expect(actual.dtype, `${name} dtype`).toBe(dtypes[name]);
  const expected = ref.tensor(`resnet18.${name}`);
  expectClose(actual.float(), expected, tol, name, `resnet18 bf16 ${name.split('.')[0]}`);
  expected.dispose();
}

const values = (t: Tensor): number[] => Array.from(t.float().dataSync() as Float32Array);

describe("CPU bfloat16 autocast: resnet18 against PyTorch's", () => {
  afterAll(() => report(`bfloat16 autocast, seed ${ref.seed}`));

  it('eval forward (no grad)', () => {
    const m = model();
    m.eval();
    const x = ref.tensor('resnet18.input');
    const out = autocast(bf16, () => noGrad(() => m.forward(x)));
    check(out, 'out_eval');
    m.dispose();
  }, 60_000);

  it('training forward, cross entropy, backward outside autocast: gradients and running statistics', () => {
    const m = model();
    m.train();
    const x = ref.tensor('resnet18.input', { requiresGrad: true });
    const target = ref.tensor('resnet18.target');
    const { out, loss } = autocast(bf16, () => {
      const out = m.forward(x);
      return { out, loss: F.crossEntropy(out, target) };
    });
    expect(isAutocastEnabled('cpu')).toBe(false);
    loss.backward();
    check(out, 'out_train');
    check(loss, 'loss');
    check(x.grad!, 'grad.input');
    const params = Object.fromEntries(m.namedParameters());
    for (const k of ref.meta.resnet18.parameters as string[]) check(params[k]!.grad!, `grad.${k}`);
    const buffers = Object.fromEntries(m.namedBuffers());
    for (const k of ref.meta.resnet18.buffers as string[]) check(buffers[k]!, `after.${k}`);
    m.dispose();
  }, 120_000);

  it('forwardAsync under autocast replays the eager autocast forward exactly, and keeps float32 programs apart', async () => {
    const m = model();
    m.eval();
    const x = ref.tensor('resnet18.input');
    const eager = autocast(bf16, () => noGrad(() => m.forward(x)));
    const first = await autocast(bf16, () => m.forwardAsync(x)); // captured while it runs
    const replayed = await autocast(bf16, () => m.forwardAsync(x)); // replayed on the executor thread
    // another key: captured without autocast (the plain path, to compare exactly with forward)
    const plain = await m.forwardAsync(x, { fastPath: false });
    const plainReplayed = await m.forwardAsync(x, { fastPath: false });
    const float32 = noGrad(() => m.forward(x));
    for (const t of [first, replayed]) {
      expect(t.dtype).toBe('bfloat16');
      expect(values(t)).toEqual(values(eager));
    }
    for (const t of [plain, plainReplayed]) {
      expect(t.dtype).toBe('float32');
      expect(values(t)).toEqual(values(float32));
    }
    // The replay left no autocast state behind for this thread's eager code either.
    expect(isAutocastEnabled('cpu')).toBe(false);
    m.dispose();
  }, 120_000);
});

describe("single ops under CPU bfloat16 autocast have PyTorch's output dtypes", () => {
  const x = randn([2, 4, 8, 8]);
  const w = randn([6, 4, 3, 3]);
  const m = randn([5, 7]);
  const m2 = randn([7, 3]);
  const b3 = randn([2, 5, 7]);
  const b3b = randn([2, 7, 3]);
  const lw = randn([3, 7]);
  const target = tensor([0, 2, 1, 1, 0], { dtype: 'int64' });
  const c = ones([4]);
  const ops: Record<string, () => Tensor> = {
    conv2d: () => F.conv2d(x, w, { padding: 1 }),
    linear: () => F.linear(m, lw),
    matmul: () => m.matmul(m2),
    mm: () => m.mm(m2),
    bmm: () => b3.bmm(b3b),
    batchNorm: () => F.batchNorm(x, zeros([4]), c, { weight: c, bias: zeros([4]) }),
    relu: () => F.relu(x),
    maxPool2d: () => F.maxPool2d(x, 2),
    adaptiveAvgPool2d: () => F.adaptiveAvgPool2d(x, 1),
    add: () => x.add(x),
    softmax: () => m.softmax(1),
    logSoftmax: () => m.logSoftmax(1),
    crossEntropy: () => F.crossEntropy(m, target),
    sum: () => m.sum(),
    exp: () => m.exp(),
    convThenBatchNorm: () =>
      F.batchNorm(F.conv2d(x, w), zeros([6]), ones([6]), {
        weight: ones([6]),
        bias: zeros([6]),
        training: true,
      }),
    linearThenCrossEntropy: () => F.crossEntropy(F.linear(m, lw), target.remainder(3)),
  };
  for (const [name, expected] of Object.entries(ref.meta.ops as Record<string, string>)) {
    it(`${name}: ${expected}`, () => {
      const op = ops[name] as (() => Tensor) | undefined;
      if (op === undefined) throw new Error(`no library call for the reference op ${name}`);
      expect(autocast(bf16, op).dtype).toBe(expected);
    });
  }
  it('covers every op of the reference', () => {
    expect(Object.keys(ops).sort()).toEqual(Object.keys(ref.meta.ops as Json).sort());
  });
});
