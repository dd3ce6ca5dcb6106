#!/usr/bin/python3
"""Reference tensors from real PyTorch for the op tests.

    /usr/bin/python3 scripts/gen_reference.py --out DIR --seed N

Draws random shapes and options per case (seeded by N, so every seed gives cases that no
committed fixture has), computes each op's forward result and the gradient of every
differentiable input twice, in float64 and in float32, and writes

    DIR/reference.safetensors   inputs, grad_output, and the outputs and grads of both runs,
                                e.g. conv2d.3.input, conv2d.3.float64.out,
                                conv2d.3.float32.grad.weight
    DIR/cases.json              per case: op, index, options (named as the TypeScript call
                                takes them), the tensor names of inputs, and per dtype the
                                names of its outputs and grads

Gradients are those of (out * grad_output).sum(), where `out` is the case's "gradOf" output
("out", or "values" for topk). Inputs and grad_output hold values that float32 represents
exactly, so both runs (and the library's) see the very same inputs. The float32 run is what
the library's float32 run is judged against element by element: they run the same libtorch.
Sizes are small: ~500 KB per seed.
"""

import argparse
import json
import os
import random
import struct
import sys

import torch
import torch.nn.functional as F

CASES_PER_OP = 6
DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64", torch.int32: "I32",
          torch.float16: "F16", torch.bool: "BOOL"}


def as_f32_exact(t):
    """float64 values that float32 holds exactly, so the float32 runs see the same inputs."""
    return t.float().double() if t is not None and t.dtype == torch.float64 else t


class Recorder:
    def __init__(self):
        self.tensors = {}
        self.cases = []
        self.counts = {}

    def put(self, name, t):
        assert name not in self.tensors, name
        self.tensors[name] = t.detach().contiguous().clone()
        return name

    @staticmethod
    def drawn(draw):
        """Runs a loop body that draws one case; a decorator, so each body has its own scope
        for the closures it hands to case()."""
        return draw()

    def run(self, inputs, fn, diff, dtype, g=None, grad_of="out"):
        leaves = {k: (v.detach().to(dtype if v.is_floating_point() else v.dtype).clone()
                      .requires_grad_(k in diff) if v is not None else None)
                  for k, v in inputs.items()}
        result = fn(**leaves)
        outs = result if isinstance(result, dict) else {"out": result}
        outs = {k: v.detach() for k, v in outs.items()}
        grads = {}
        if diff:
            out = result if not isinstance(result, dict) else result[grad_of]
            if g is None:
                g = as_f32_exact(torch.randn(out.shape, dtype=torch.float64))
            (out * g.to(dtype)).sum().backward()
            grads = {k: leaves[k].grad for k in diff if leaves[k] is not None}
        return outs, g, grads

    def case(self, op, options, inputs, fn, diff=(), grad_of="out"):
        """inputs: key -> tensor; fn(**leaves) -> tensor or dict of tensors; diff: keys to
        differentiate, through the output `grad_of`. Inputs are rounded to float32-exact
        values and saved before fn runs (fn may update running stats in place). The case runs
        in float64 (the portable reference) and in float32 (the reference of the library's
        float32 run), both with the same grad_output."""
        inputs = {k: as_f32_exact(v) for k, v in inputs.items()}
        outs, g, grads = self.run(inputs, fn, diff, torch.float64, grad_of=grad_of)
        outs32, _, grads32 = self.run(inputs, fn, diff, torch.float32, g, grad_of)
        index = self.counts.get(op, 0)
        self.counts[op] = index + 1
        p = f"{op}.{index}"
        case = {"op": op, "index": index, "options": options,
                "inputs": {k: self.put(f"{p}.{k}", v) for k, v in inputs.items() if v is not None}}
        for dtype, (o, gr) in {"float64": (outs, grads), "float32": (outs32, grads32)}.items():
            case[dtype] = {
                "outputs": {k: self.put(f"{p}.{dtype}.{k}", v) for k, v in o.items()},
                "grads": {k: self.put(f"{p}.{dtype}.grad.{k}", v) for k, v in gr.items()}}
        if diff:
            case["gradOf"] = grad_of
            case["gradOutput"] = self.put(f"{p}.grad_output", g)
        self.cases.append(case)

    def write(self, out_dir, meta):
        header, chunks, offset = {}, [], 0
        for name, t in self.tensors.items():
            data = t.numpy().tobytes() if t.numel() else b""
            header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                            "data_offsets": [offset, offset + len(data)]}
            chunks.append(data)
            offset += len(data)
        header["__metadata__"] = {k: str(v) for k, v in meta.items()}
        h = json.dumps(header, separators=(",", ":")).encode()
        h += b" " * (-len(h) % 8)
        with open(os.path.join(out_dir, "reference.safetensors"), "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
        with open(os.path.join(out_dir, "cases.json"), "w") as f:
            json.dump({**meta, "cases": self.cases}, f, indent=1)


def distinct(shape, lo=-2.0, hi=2.0):
    """Values in [lo, hi) that stay pairwise distinct after rounding to float32 (no ties for
    max_pool2d / topk / argmax)."""
    n = 1
    for s in shape:
        n *= s
    v = (torch.randperm(n).double() + torch.rand(n) * 0.8 + 0.1) / n
    return (lo + (hi - lo) * v).reshape(shape)


def pair(rng, lo, hi):
    """A number or an [h, w] pair (the TS API takes both), with its (h, w) value."""
    if rng.random() < 0.5:
        v = rng.randint(lo, hi)
        return v, (v, v)
    h, w = rng.randint(lo, hi), rng.randint(lo, hi)
    return [h, w], (h, w)


def gen_conv2d(r, rng):
    for i in range(CASES_PER_OP + 2):
        @r.drawn
        def _():
            kind = ["plain", "groups2", "depthwise"][i % 3]
            if kind == "plain":
                groups, cin, cout = 1, rng.randint(1, 4), rng.randint(1, 5)
            elif kind == "groups2":
                groups, cin, cout = 2, 2 * rng.randint(1, 3), 2 * rng.randint(1, 3)
            else:
                cin = rng.randint(2, 4)
                groups, cout = cin, cin * rng.randint(1, 2)
            k = (rng.randint(1, 3), rng.randint(1, 3))
            stride, _ = pair(rng, 1, 3)
            padding, _ = pair(rng, 0, 2)
            dilation, _ = pair(rng, 1, 2)
            h, w = rng.choice([5, 7, 9, 11]), rng.choice([5, 7, 9])
            x = torch.randn(rng.randint(1, 3), cin, h, w)
            wt = torch.randn(cout, cin // groups, *k) / (cin * k[0] * k[1]) ** 0.5
            b = torch.randn(cout) if rng.random() < 0.6 else None
            opts = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
            r.case("conv2d", opts, {"input": x, "weight": wt, "bias": b},
                   lambda input, weight, bias: F.conv2d(input, weight, bias, stride, padding,
                                                        dilation, groups),
                   diff=("input", "weight", "bias"))


def gen_batch_norm(r, rng):
    for i in range(CASES_PER_OP + 4):
        @r.drawn
        def _():
            training = i < CASES_PER_OP
            c = rng.randint(1, 5)
            if i % 5 == 4:
                shape = [rng.randint(3, 6), c]  # (N, C): BatchNorm1d's form
            else:
                shape = [rng.randint(1, 4), c, rng.randint(1, 5), rng.randint(2, 5)]
            x = torch.randn(*shape) * (0.5 + rng.random() * 2) + rng.uniform(-1, 1)
            affine = rng.random() < 0.7
            w = torch.rand(c) + 0.5 if affine else None
            b = torch.randn(c) if affine else None
            rm, rv = torch.randn(c) * 0.3, torch.rand(c) + 0.5
            momentum = round(rng.uniform(0.01, 0.9), 3)
            eps = rng.choice([1e-5, 1e-3])
            opts = {"training": training, "momentum": momentum, "eps": eps}

            def fn(input, weight, bias, runningMean, runningVar):
                out = F.batch_norm(input, runningMean, runningVar, weight, bias, training,
                                   momentum, eps)
                return {"out": out, "runningMean": runningMean, "runningVar": runningVar}

            r.case("batch_norm", opts,
                   {"input": x, "weight": w, "bias": b, "runningMean": rm, "runningVar": rv}, fn,
                   diff=("input", "weight", "bias"))


def gen_pools(r, rng):
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            k, (kh, kw) = pair(rng, 1, 3)
            stride, _ = pair(rng, 1, 3) if rng.random() < 0.7 else (None, None)
            padding = [rng.randint(0, kh // 2), rng.randint(0, kw // 2)]
            if padding[0] == padding[1] and rng.random() < 0.5:
                padding = padding[0]
            dilation, _ = pair(rng, 1, 2)
            ceil = rng.random() < 0.5
            x = distinct([rng.randint(1, 2), rng.randint(1, 3), rng.randint(5, 9), rng.randint(5, 9)])
            opts = {"kernelSize": k, "stride": stride, "padding": padding, "dilation": dilation,
                    "ceilMode": ceil}
            r.case("max_pool2d", opts, {"input": x},
                   lambda input: F.max_pool2d(input, k, stride, padding, dilation, ceil),
                   diff=("input",))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            k, (kh, kw) = pair(rng, 1, 3)
            stride, _ = pair(rng, 1, 3) if rng.random() < 0.7 else (None, None)
            padding = [rng.randint(0, kh // 2), rng.randint(0, kw // 2)]
            ceil, cip = rng.random() < 0.5, rng.random() < 0.5
            x = torch.randn(rng.randint(1, 2), rng.randint(1, 3), rng.randint(4, 9), rng.randint(4, 9))
            opts = {"kernelSize": k, "stride": stride, "padding": padding, "ceilMode": ceil,
                    "countIncludePad": cip}
            r.case("avg_pool2d", opts, {"input": x},
                   lambda input: F.avg_pool2d(input, k, stride, padding, ceil, cip),
                   diff=("input",))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            h, w = rng.randint(3, 10), rng.randint(3, 10)
            size = rng.randint(1, 7) if rng.random() < 0.4 else [rng.randint(1, 7), rng.randint(1, 7)]
            x = torch.randn(rng.randint(1, 2), rng.randint(1, 3), h, w)
            r.case("adaptive_avg_pool2d", {"outputSize": size}, {"input": x},
                   lambda input: F.adaptive_avg_pool2d(input, size), diff=("input",))


def gen_linear_matmul(r, rng):
    for i in range(CASES_PER_OP):
        @r.drawn
        def _():
            fin, fout = rng.randint(1, 8), rng.randint(1, 6)
            lead = [rng.randint(1, 5)] + ([rng.randint(1, 4)] if i % 2 else [])
            x, w = torch.randn(*lead, fin), torch.randn(fout, fin) / fin ** 0.5
            b = torch.randn(fout) if rng.random() < 0.6 else None
            r.case("linear", {}, {"input": x, "weight": w, "bias": b},
                   lambda input, weight, bias: F.linear(input, weight, bias),
                   diff=("input", "weight", "bias"))
    patterns = [("nk", "km"), ("k", "km"), ("nk", "k"), ("bnk", "bkm"), ("bnk", "km"),
                ("1nk", "bkm"), ("k", "k"), ("bnk", "k"), ("abnk", "bkm")]
    for i in range(CASES_PER_OP + 2):
        @r.drawn
        def _():
            pa, pb = patterns[i] if i < len(patterns) else rng.choice(patterns)
            dims = {c: rng.randint(2, 5) for c in "abnkm"}
            dims["1"] = 1
            a = torch.randn(*[dims[c] for c in pa])
            b = torch.randn(*[dims[c] for c in pb])
            r.case("matmul", {}, {"input": a, "other": b},
                   lambda input, other: torch.matmul(input, other), diff=("input", "other"))


def broadcast_pair(rng):
    full = [rng.randint(1, 4) for _ in range(rng.randint(1, 4))]
    other = [1 if rng.random() < 0.4 else s for s in full][rng.randint(0, len(full) - 1):]
    return (full, other) if rng.random() < 0.5 else (other, full)


def gen_elementwise(r, rng):
    for op in ["add", "sub", "mul", "div"]:
        for i in range(CASES_PER_OP):
            @r.drawn
            def _():
                sa, sb = broadcast_pair(rng)
                a = torch.randn(*sa)
                fn = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}[op]
                if i >= CASES_PER_OP - 2:  # tensor op number
                    s = round(rng.uniform(0.5, 3), 3) * rng.choice([-1, 1])
                    r.case(op, {"scalar": s}, {"input": a}, lambda input: fn(input, s),
                           diff=("input",))
                    return
                b = torch.randn(*sb)
                if op == "div":  # keep the denominator away from 0
                    b = torch.sign(b) * (b.abs() + 0.5)
                r.case(op, {}, {"input": a, "other": b}, lambda input, other: fn(input, other),
                       diff=("input", "other"))
    for op in ["exp", "log", "relu"]:
        for _ in range(CASES_PER_OP):
            @r.drawn
            def _():
                shape = [rng.randint(1, 5) for _ in range(rng.randint(1, 4))]
                x = torch.rand(*shape) * 3 + 0.2 if op == "log" else torch.randn(*shape) * 1.5
                fn = {"exp": torch.exp, "log": torch.log, "relu": F.relu}[op]
                r.case(op, {}, {"input": x}, lambda input: fn(input), diff=("input",))


def gen_reductions(r, rng):
    for op in ["softmax", "log_softmax"]:
        for _ in range(CASES_PER_OP):
            @r.drawn
            def _():
                rank = rng.randint(1, 4)
                x = torch.randn(*[rng.randint(1, 5) for _ in range(rank)]) * 2
                dim = rng.randint(-rank, rank - 1)
                fn = F.softmax if op == "softmax" else F.log_softmax
                r.case(op, {"dim": dim}, {"input": x}, lambda input: fn(input, dim),
                       diff=("input",))
    for op in ["sum", "mean"]:
        for i in range(CASES_PER_OP):
            @r.drawn
            def _():
                rank = rng.randint(1, 4)
                x = torch.randn(*[rng.randint(1, 5) for _ in range(rank)])
                if i == 0:
                    r.case(op, {"dim": None, "keepdim": False}, {"input": x},
                           lambda input: getattr(torch, op)(input), diff=("input",))
                    return
                if rng.random() < 0.5:
                    dim = rng.randint(-rank, rank - 1)
                else:
                    dim = [d - rank if rng.random() < 0.3 else d
                           for d in rng.sample(range(rank), rng.randint(1, rank))]
                keepdim = rng.random() < 0.5
                r.case(op, {"dim": dim, "keepdim": keepdim}, {"input": x},
                       lambda input: getattr(torch, op)(input, dim, keepdim), diff=("input",))


def gen_losses(r, rng):
    for op in ["cross_entropy", "nll_loss"]:
        for i in range(CASES_PER_OP + 2):
            @r.drawn
            def _():
                n, c = rng.randint(1, 6), rng.randint(2, 6)
                spatial = [rng.randint(1, 3), rng.randint(1, 3)] if i % 4 == 3 else []
                x = torch.randn(n, c, *spatial) * 2
                target = torch.randint(0, c, (n, *spatial), dtype=torch.int64)
                weight = torch.rand(c) + 0.2 if rng.random() < 0.5 else None
                reduction = ["mean", "sum", "none"][i % 3]
                opts = {"reduction": reduction}
                if op == "cross_entropy":
                    ls = round(rng.uniform(0.05, 0.3), 3) if rng.random() < 0.5 else 0.0
                    opts["labelSmoothing"] = ls
                    fn = (lambda input, target, weight:
                          F.cross_entropy(input, target, weight, reduction=reduction,
                                          label_smoothing=ls))
                else:
                    fn = (lambda input, target, weight:
                          F.nll_loss(input, target, weight, reduction=reduction))
                r.case(op, opts, {"input": x, "target": target, "weight": weight}, fn,
                       diff=("input",))


def gen_soft_cross_entropy(r, rng):
    """cross_entropy with class-probability targets (mixup's and cutmix's soft labels), with and
    without label smoothing and class weights, (N, C) and (N, C, d) shapes."""
    for i in range(CASES_PER_OP):
        @r.drawn
        def _():
            n, c = rng.randint(1, 6), rng.randint(2, 6)
            spatial = [rng.randint(1, 3)] if i % 3 == 2 else []
            x = torch.randn(n, c, *spatial) * 2
            target = torch.softmax(torch.randn(n, c, *spatial) * 2, dim=1)
            weight = torch.rand(c) + 0.2 if i % 2 == 1 else None
            reduction = ["mean", "sum", "none"][i % 3]
            ls = round(rng.uniform(0.05, 0.3), 3) if i >= 2 else 0.0
            r.case("cross_entropy", {"reduction": reduction, "labelSmoothing": ls},
                   {"input": x, "target": target, "weight": weight},
                   lambda input, target, weight: F.cross_entropy(input, target, weight, reduction=reduction,
                                                                 label_smoothing=ls),
                   diff=("input", "target"))


def gen_pad(r, rng):
    modes = ["constant", "constant", "reflect", "reflect", "replicate", "constant"]
    for mode in modes:
        @r.drawn
        def _():
            if mode == "constant":
                rank = rng.randint(2, 4)
                x = torch.randn(*[rng.randint(1, 4) for _ in range(rank)])
                npairs = rng.randint(1, min(rank, 3))
            else:
                rank = rng.choice([3, 4])
                x = torch.randn(*[rng.randint(1, 3)] * (rank - 2), rng.randint(2, 5), rng.randint(2, 5))
                npairs = rank - 2
            pads = []
            for j in range(npairs):
                size = x.shape[-1 - j]
                hi = 3 if mode == "constant" else (size - 1 if mode == "reflect" else 3)
                pads += [rng.randint(0, hi), rng.randint(0, hi)]
            value = round(rng.uniform(-2, 2), 3) if mode == "constant" and rng.random() < 0.5 else 0.0
            r.case("pad", {"pads": pads, "mode": mode, "value": value}, {"input": x},
                   lambda input: F.pad(input, pads, mode, value) if mode == "constant"
                   else F.pad(input, pads, mode), diff=("input",))


def gen_indexing(r, rng):
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            rank = rng.randint(1, 3)
            shape = [rng.randint(1, 6) for _ in range(rank)]
            x = distinct(shape)
            dim = rng.randint(-rank, rank - 1)
            k = rng.randint(1, shape[dim])
            largest = rng.random() < 0.6
            r.case("topk", {"k": k, "dim": dim, "largest": largest, "sorted": True}, {"input": x},
                   lambda input: dict(zip(("values", "indices"), torch.topk(input, k, dim, largest))),
                   diff=("input",), grad_of="values")
    for i in range(CASES_PER_OP):
        @r.drawn
        def _():
            rank = rng.randint(1, 3)
            x = distinct([rng.randint(1, 6) for _ in range(rank)])
            dim = None if i == 0 else rng.randint(-rank, rank - 1)
            keepdim = rng.random() < 0.5 and dim is not None
            r.case("argmax", {"dim": dim, "keepdim": keepdim}, {"input": x},
                   lambda input: torch.argmax(input, dim, keepdim))


def rand_shape(rng, lo=1, hi=4, rank_lo=1, rank_hi=3):
    return [rng.randint(lo, hi) for _ in range(rng.randint(rank_lo, rank_hi))]


def scalar(rng):
    """A branch or fill number: a Python int or a float (JavaScript's integers are PyTorch's ints)."""
    return rng.randint(-3, 3) if rng.random() < 0.4 else round(rng.uniform(-3, 3), 3)


def gen_tensor_api(r, rng):
    """The everyday Tensor API of issue 16."""
    for i in range(CASES_PER_OP):
        @r.drawn
        def _():
            sa, sb = broadcast_pair(rng)
            cond = torch.rand(*(sa if rng.random() < 0.5 else sb)) < 0.5
            branches = ["tt", "ts", "st", "tt", "ts", "st"][i]
            x, y = torch.randn(*sa), torch.randn(*sb)
            a = None if branches[0] == "t" else scalar(rng)
            b = None if branches[1] == "t" else scalar(rng)
            inputs = {"condition": cond, "input": x if a is None else None,
                      "other": y if b is None else None}
            r.case("where", {"input": a, "other": b}, inputs,
                   lambda condition, input, other: torch.where(
                       condition, input if a is None else a, other if b is None else b),
                   diff=tuple(k for k in ("input", "other") if inputs[k] is not None))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            a, b = scalar(rng), scalar(rng)
            cond = torch.rand(*rand_shape(rng)) < 0.5
            def fn(condition):
                # two number branches give the default dtype: PyTorch's (float32), not this
                # script's float64
                torch.set_default_dtype(torch.float32)
                try:
                    return torch.where(condition, a, b)
                finally:
                    torch.set_default_dtype(torch.float64)

            r.case("where_scalars", {"input": a, "other": b}, {"condition": cond}, fn)
    for i in range(CASES_PER_OP):
        @r.drawn
        def _():
            # boolean branches, beside each other or beside a bool mask: a bool tensor
            cond = torch.rand(*rand_shape(rng)) < 0.5
            kind = ["bb", "mb", "bm", "bb", "mb", "bm"][i % 6]
            t = torch.rand(*cond.shape) < 0.5
            a = None if kind[0] == "m" else rng.random() < 0.5
            b = None if kind[1] == "m" else rng.random() < 0.5
            inputs = {"condition": cond, "input": t if a is None else None,
                      "other": t if b is None else None}
            r.case("where_bools", {"input": a, "other": b}, inputs,
                   lambda condition, input, other: torch.where(
                       condition, input if a is None else a, other if b is None else b))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            sx, sm = broadcast_pair(rng)
            x, mask = torch.randn(*sx), torch.rand(*sm) < 0.5
            full = torch.broadcast_shapes(x.shape, mask.shape)
            if list(full) != list(x.shape):  # masked_select's gradient needs x of the full shape
                x = torch.randn(*full)
            r.case("masked_select", {}, {"input": x, "mask": mask},
                   lambda input, mask: torch.masked_select(input, mask), diff=("input",))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            shape = rand_shape(rng, 1, 4, 1, 3)
            lead = rng.randint(1, len(shape))
            x, mask = torch.randn(*shape), torch.rand(*shape[:lead]) < 0.5
            r.case("index_mask", {}, {"input": x, "indices": mask},
                   lambda input, indices: input[indices], diff=("input",))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            x = torch.randn(rand_shape(rng, 1, 4, 0, 3))
            x = x * (torch.rand(x.shape) < 0.5)
            r.case("nonzero", {}, {"input": x}, lambda input: torch.nonzero(input))
    for op in ["scatter", "scatter_"]:
        for i in range(CASES_PER_OP):
            @r.drawn
            def _():
                shape = rand_shape(rng, 1, 4, 1, 3)
                rank = len(shape)
                dim = rng.randint(-rank, rank - 1)
                # index: a smaller shape; along dim distinct positions (no write races)
                ishape = [rng.randint(1, s) for s in shape]
                n = shape[dim]
                index = torch.stack([torch.randperm(n)[:ishape[dim]] for _ in
                                     range(max(1, torch.Size(ishape).numel() // ishape[dim]))])
                index = index.reshape(*[s for d, s in enumerate(ishape) if d != dim % rank],
                                      ishape[dim]).movedim(-1, dim % rank).contiguous()
                x = torch.randn(*shape)
                value = scalar(rng) if i >= CASES_PER_OP - 2 else None
                src = torch.randn(*ishape) if value is None else None  # as index: 1.13 needs it for the gradient
                if op == "scatter":
                    fn = (lambda input, index, src: torch.scatter(
                        input, dim, index, src if value is None else value))
                else:
                    fn = (lambda input, index, src: input.clone().scatter_(
                        dim, index, src if value is None else value))
                r.case(op, {"dim": dim, "value": value}, {"input": x, "index": index, "src": src},
                       fn, diff=("input",) if value is not None else ("input", "src"))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            shape = rand_shape(rng, 1, 6, 1, 3)
            x = distinct(shape)
            dim = rng.randint(-len(shape), len(shape) - 1)
            descending = rng.random() < 0.5
            r.case("argsort", {"dim": dim, "descending": descending}, {"input": x},
                   lambda input: torch.argsort(input, dim, descending))
            r.case("sort", {"dim": dim, "descending": descending}, {"input": distinct(shape)},
                   lambda input: dict(zip(("values", "indices"), torch.sort(input, dim, descending))),
                   diff=("input",), grad_of="values")
    for op in ["isclose", "allclose"]:
        for i in range(CASES_PER_OP):
            @r.drawn
            def _():
                sa, sb = broadcast_pair(rng)
                if op == "allclose" and i % 2 == 0:
                    sb = sa
                b = torch.randn(*sb)  # input: other broadcast, plus noise of some scale
                a = b.expand(torch.broadcast_shapes(sa, sb)) + torch.randn(
                    torch.broadcast_shapes(sa, sb)) * rng.choice([1e-9, 1e-6, 1e-4, 1e-2])
                if rng.random() < 0.4:
                    a.view(-1)[0] = float("nan")
                    b.view(-1)[0] = float("nan")
                opts = {"rtol": rng.choice([1e-5, 1e-3, 0.0]), "atol": rng.choice([1e-8, 1e-4, 0.0]),
                        "equalNan": rng.random() < 0.5}
                f = torch.isclose if op == "isclose" else (lambda *a, **k: torch.tensor(torch.allclose(*a, **k)))
                r.case(op, opts, {"input": a, "other": b},
                       lambda input, other: f(input, other, opts["rtol"], opts["atol"], opts["equalNan"]))
    for _ in range(CASES_PER_OP):
        @r.drawn
        def _():
            x = torch.randn(rand_shape(rng, 1, 5, 0, 2))
            r.case("t", {}, {"input": x}, lambda input: input.t(), diff=("input",))
            n, k, m = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
            r.case("mm", {}, {"input": torch.randn(n, k), "other": torch.randn(k, m)},
                   lambda input, other: torch.mm(input, other), diff=("input", "other"))
            b = rng.randint(1, 3)
            r.case("bmm", {}, {"input": torch.randn(b, n, k), "other": torch.randn(b, k, m)},
                   lambda input, other: torch.bmm(input, other), diff=("input", "other"))
    for op in ["int", "long", "bool", "half", "float"]:
        for _ in range(CASES_PER_OP):
            @r.drawn
            def _():
                x = torch.randn(*rand_shape(rng)) * 3
                x = x * (torch.rand(x.shape) < 0.7)
                r.case(op, {}, {"input": x}, lambda input: getattr(input, op)(),
                       diff=("input",) if op in ("half", "float") else ())
    for i in range(CASES_PER_OP + 2):
        @r.drawn
        def _():
            shape = rand_shape(rng, 1, 6, 1, 3)
            dim = rng.randint(-len(shape), len(shape) - 1)
            n = shape[dim]
            start = [None, rng.randint(-n, n - 1)][rng.randint(0, 1)]
            end = [None, rng.randint(-n, n)][rng.randint(0, 1) if i > 1 else 0]
            step = rng.randint(1, 3)
            idx = [slice(None)] * len(shape)
            idx[dim] = slice(start, end, step)
            r.case("slice", {"dim": dim, "start": start, "end": end, "step": step},
                   {"input": torch.randn(*shape)}, lambda input: input[tuple(idx)], diff=("input",))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    torch.set_default_dtype(torch.float64)
    r = Recorder()
    for gen in [gen_conv2d, gen_batch_norm, gen_pools, gen_linear_matmul, gen_elementwise,
                gen_reductions, gen_losses, gen_pad, gen_indexing, gen_tensor_api, gen_soft_cross_entropy]:
        gen(r, rng)
    os.makedirs(args.out, exist_ok=True)
    r.write(args.out, {"seed": args.seed, "torch": torch.__version__, "threads": torch.get_num_threads()})
    print(f"wrote {len(r.cases)} cases, {len(r.tensors)} tensors to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
