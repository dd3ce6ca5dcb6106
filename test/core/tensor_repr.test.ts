/**
 * `String(t)` and `console.log(t)` against PyTorch's own printout: each case is built from the
 * same description here and in /usr/bin/python3, whose `repr()` is the expected string.
 */
import { execFile } from 'node:child_process';
import { inspect, promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

import { arange, capture, memory, tensor, type DType, type Tensor } from '../../lib/index.js';
import { PYTHON } from '../helpers/reference.js';

/** A tensor both sides build: `values` (NaN and infinities as strings), or `arange` numbers through sin()·scale. */
interface Case {
  name: string;
  dtype: DType;
  values?: unknown;
  arange?: { n: number; shape: number[]; scale: number; sin: boolean };
  /** 'leaf': requires grad; 'sum': the sum of such a leaf (grad_fn=<SumBackward0>). */
  grad?: 'leaf' | 'sum';
}

const CASES: Case[] = [
  { name: 'float64 matrix', dtype: 'float64', values: [[1.5, 2], [3, 4]] },
  { name: 'integral floats', dtype: 'float32', values: [1, 2, 3] },
  { name: 'int64', dtype: 'int64', values: [0, 1, -22, 3] },
  { name: 'bool', dtype: 'bool', values: [true, false] },
  { name: 'scientific', dtype: 'float32', values: [0.1, 1e-5, 123456] },
  { name: 'nan, inf, -0', dtype: 'float32', values: ['nan', 'inf', '-inf', '-0', 2] },
  { name: 'only nan', dtype: 'float64', values: ['nan', 0] },
  { name: 'ties round to even', dtype: 'float64', values: [1.03125, 0.15625, -2.5] },
  { name: 'large integers', dtype: 'float32', values: [1, 2e9] },
  { name: 'scalar', dtype: 'float32', values: 3.25 },
  { name: 'float16', dtype: 'float16', values: [1.5, 2.25, -0.0999] },
  { name: 'bfloat16', dtype: 'bfloat16', values: [1.5, -3, 1000.5] },
  { name: 'uint8', dtype: 'uint8', values: [[1, 200], [3, 4]] },
  { name: 'int32', dtype: 'int32', values: [7, -8] },
  { name: 'int8', dtype: 'int8', values: [-1] },
  { name: 'int16', dtype: 'int16', values: [[300]] },
  { name: 'empty 2-D', dtype: 'float32', values: [[], []] },
  { name: 'empty int64', dtype: 'int64', values: [] },
  { name: 'wrapped lines', dtype: 'float32', arange: { n: 40, shape: [40], scale: 3, sin: true } },
  { name: '3-D', dtype: 'float64', arange: { n: 24, shape: [2, 3, 4], scale: 100, sin: true } },
  { name: 'summarized', dtype: 'float32', arange: { n: 2000, shape: [40, 50], scale: 1, sin: false } },
  { name: 'summarized 3-D', dtype: 'float64', arange: { n: 2100, shape: [3, 7, 100], scale: 0.01, sin: true } },
  { name: 'summarized vector', dtype: 'int32', arange: { n: 1001, shape: [1001], scale: 1, sin: false } },
  { name: 'requires grad', dtype: 'float32', values: [1, 2.5], grad: 'leaf' },
  { name: 'grad_fn', dtype: 'float64', values: [1, 2.5], grad: 'sum' },
]; // prettier-ignore

const special: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };
const decode = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(decode) : typeof v === 'string' ? special[v] : v;

function build(c: Case): Tensor {
  let t: Tensor;
  if (c.arange !== undefined) {
    const { n, shape, scale, sin } = c.arange;
    const base = arange(n, { dtype: 'float64' });
    t = (sin ? base.sin() : base).mul(scale).reshape(shape).to(c.dtype);
  } else {
    t = tensor(decode(c.values) as never, { dtype: c.dtype });
  }
  if (c.grad !== undefined) t.requiresGrad = true;
  return c.grad === 'sum' ? t.sum() : t;
}

const SCRIPT = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    dtype = getattr(torch, c["dtype"])
    if c.get("arange"):
        a = c["arange"]
        base = torch.arange(a["n"], dtype=torch.float64)
        t = ((base.sin() if a["sin"] else base) * a["scale"]).reshape(a["shape"]).to(dtype)
    else:
        dec = lambda v: [dec(x) for x in v] if isinstance(v, list) else (float(v) if isinstance(v, str) else v)
        t = torch.tensor(dec(c["values"]), dtype=dtype)
    if c.get("grad"):
        t.requires_grad_(True)
    if c.get("grad") == "sum":
        t = t.sum()
    out.append(repr(t))
print(json.dumps(out))
`;

const child = promisify(execFile)(PYTHON, ['-c', SCRIPT], { timeout: 120_000 });
child.child.stdin?.end(JSON.stringify(CASES));
const expected = JSON.parse((await child).stdout) as string[];

describe("a tensor's printout is PyTorch's", () => {
  CASES.forEach((c, i) => {
    it(`${c.name}: ${expected[i]!.split('\n')[0]}`, () => {
      const t = build(c);
      expect(String(t)).toBe(expected[i]);
      expect(inspect(t)).toBe(expected[i]);
    });
  });

  it('printing frees the tensors it makes', () => {
    const t = arange(3000, { dtype: 'float32' }).reshape([30, 100]);
    globalThis.gc?.(); // garbage of earlier tests, freed by a collection meanwhile, would count
    const before = memory().liveTensors;
    String(t);
    expect(memory().liveTensors).toBe(before);
    t.dispose();
  });

  it('a disposed tensor, and a tensor during a capture, print without values', () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(String(t)).toBe('Tensor(disposed)');
    const x = tensor([1, 2]);
    let seen = '';
    const { program } = capture(
      [x],
      () => {
        seen = String(x);
        return x.mul(2);
      },
      (y) => [y],
    );
    expect(seen).toBe(
      "tensor(<values not readable during a capture>, shape=[2], dtype=torch.float32, device='cpu')",
    );
    expect(program.steps).toEqual(['mul']); // printing recorded nothing
    program.dispose();
  });
});
