#!/usr/bin/python3
"""Mixed-precision references from PyTorch (Debian's torch 1.13):

    /usr/bin/python3 scripts/gen_amp_reference.py --out DIR [--seed N]

resnet18.*: a torchvision resnet18 (10 classes, random batch-norm state) on a 2x3x64x64 input under
torch.autocast('cpu', dtype=torch.bfloat16): the eval forward (no_grad), the training forward and
cross entropy, then backward outside autocast (as PyTorch recommends): parameter and input gradients
and the updated running statistics. bfloat16 results are stored as float32 (exact) with their dtype
in cases.json.
ops: the output dtype of single ops under CPU bfloat16 autocast (torch.autocast's lists).
scaler: GradScaler's schedule over a sequence of steps, some with inf/NaN gradients. torch 1.13 has no
CPU kernels for _amp_foreach_non_finite_check_and_unscale_ / _amp_update_scale_ and its GradScaler
disables itself without CUDA, so those two kernels are re-implemented here from
aten/src/ATen/native/cuda/AmpKernels.cu (the rest, GradScaler.step's skip and update's order, follows
torch/cuda/amp/grad_scaler.py); the forward, backward and SGD step are PyTorch's own.
"""

import argparse
import json
import os
import random
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write(out_dir, tensors, meta):
    """safetensors by hand: u64 LE header length, JSON header padded to 8 bytes, raw data."""
    os.makedirs(out_dir, exist_ok=True)
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(os.path.join(out_dir, "reference.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(meta, f)


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def resnet18_case(gen, put, meta):
    model = tvm.resnet18(num_classes=10)
    with torch.no_grad():
        for m in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
            c = m.num_features
            m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
            m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
    for k, v in model.state_dict().items():
        put(f"resnet18.state.{k}", v)
    x = torch.randn(2, 3, 64, 64, generator=gen)
    target = torch.randint(0, 10, (2,), generator=gen)
    put("resnet18.input", x)
    put("resnet18.target", target)
    dtypes = {}
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out_eval = model.eval()(x)
    x = x.clone().requires_grad_(True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out_train = model.train()(x)
        loss = F.cross_entropy(out_train, target)
    loss.backward()
    results = {"out_eval": out_eval, "out_train": out_train, "loss": loss, "grad.input": x.grad}
    results.update({f"grad.{k}": p.grad for k, p in model.named_parameters()})
    results.update({f"after.{k}": b for k, b in model.named_buffers() if b.is_floating_point()})
    for k, v in results.items():
        dtypes[k] = dtype_name(v)
        put(f"resnet18.{k}", v.float())
    meta["resnet18"] = {"dtypes": dtypes, "parameters": [k for k, _ in model.named_parameters()],
                        "buffers": [k for k, b in model.named_buffers() if b.is_floating_point()]}


def op_dtypes(gen):
    """Each op's output dtype under CPU bfloat16 autocast, from float32 inputs."""
    x = torch.randn(2, 4, 8, 8, generator=gen)
    w = torch.randn(6, 4, 3, 3, generator=gen)
    m = torch.randn(5, 7, generator=gen)
    m2 = torch.randn(7, 3, generator=gen)
    b3 = torch.randn(2, 5, 7, generator=gen)
    b3b = torch.randn(2, 7, 3, generator=gen)
    lw = torch.randn(3, 7, generator=gen)
    target = torch.tensor([0, 2, 1, 1, 0])
    c = torch.ones(4)
    ops = {
        "conv2d": lambda: F.conv2d(x, w, padding=1),
        "linear": lambda: F.linear(m, lw),
        "matmul": lambda: m.matmul(m2),
        "mm": lambda: m.mm(m2),
        "bmm": lambda: b3.bmm(b3b),
        "batchNorm": lambda: F.batch_norm(x, c * 0, c, c, c * 0, training=False),
        "relu": lambda: F.relu(x),
        "maxPool2d": lambda: F.max_pool2d(x, 2),
        "adaptiveAvgPool2d": lambda: F.adaptive_avg_pool2d(x, 1),
        "add": lambda: x + x,
        "softmax": lambda: F.softmax(m, 1),
        "logSoftmax": lambda: F.log_softmax(m, 1),
        "crossEntropy": lambda: F.cross_entropy(m, target),
        "sum": lambda: m.sum(),
        "exp": lambda: m.exp(),
        # the chained case: a bfloat16 conv output into float32-weight batch norm and a loss
        "convThenBatchNorm": lambda: F.batch_norm(F.conv2d(x, w), c.new_zeros(6), c.new_ones(6),
                                                  c.new_ones(6), c.new_zeros(6), training=True),
        "linearThenCrossEntropy": lambda: F.cross_entropy(F.linear(m, lw), target[:5] % 3),
    }
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return {name: dtype_name(fn()) for name, fn in ops.items()}


def unscale_(grads, found_inf, inv_scale):
    """_amp_foreach_non_finite_check_and_unscale_: grads *= inv_scale; found_inf = 1 on inf/NaN."""
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale_(scale, growth_tracker, found_inf, growth, backoff, interval):
    """_amp_update_scale_, as the CUDA kernel: float scale * double factor, rounded to float once."""
    s = scale.item()
    if found_inf.item():
        scale.fill_(torch.tensor(s * backoff, dtype=torch.float64).float().item())
        growth_tracker.fill_(0)
    else:
        successful = growth_tracker.item() + 1
        if successful == interval:
            new = torch.tensor(s * growth, dtype=torch.float64).float()
            if torch.isfinite(new):
                scale.fill_(new.item())
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)


def scaler_case(rng, gen, put, meta):
    cfg = {"initScale": 2.0 ** rng.randint(2, 12), "growthFactor": rng.choice([2.0, 1.7, 3.0]),
           "backoffFactor": rng.choice([0.5, 0.3, 0.25]), "growthInterval": rng.randint(1, 4), "lr": 0.1}
    steps = 12
    bad = {i: rng.choice(["inf", "-inf", "nan"]) for i in rng.sample(range(steps), 4)}
    w = torch.randn(6, generator=gen).requires_grad_(True)
    put("scaler.w0", w.detach().clone())
    opt = torch.optim.SGD([w], lr=cfg["lr"])
    scale = torch.full((1,), cfg["initScale"])
    tracker = torch.zeros(1, dtype=torch.int32)
    record = []
    for i in range(steps):
        coeff = torch.randn(6, generator=gen)
        if i in bad:
            coeff[rng.randrange(6)] = float(bad[i])
        put(f"scaler.coeff.{i}", coeff)
        opt.zero_grad()
        loss = (w * coeff).sum()
        (loss * scale).backward()                      # scaler.scale(loss).backward()
        found_inf = torch.zeros(1)
        unscale_([w.grad], found_inf, scale.double().reciprocal().float())
        stepped = found_inf.item() == 0
        if stepped:                                     # scaler.step(opt)
            opt.step()
        update_scale_(scale, tracker, found_inf, cfg["growthFactor"], cfg["backoffFactor"], cfg["growthInterval"])
        record.append({"stepped": stepped, "scale": scale.item(), "growthTracker": int(tracker.item())})
        put(f"scaler.w.{i}", w.detach().clone())
    meta["scaler"] = {"options": cfg, "steps": record}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    meta, tensors = {"seed": args.seed, "torch": torch.__version__, "threads": torch.get_num_threads()}, {}

    def put(name, t):
        assert name not in tensors, name
        tensors[name] = t.detach().contiguous().cpu().clone()

    rng, gen = random.Random(args.seed), torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    resnet18_case(gen, put, meta)
    meta["ops"] = op_dtypes(gen)
    scaler_case(rng, gen, put, meta)
    write(args.out, tensors, meta)


if __name__ == "__main__":
    main()
