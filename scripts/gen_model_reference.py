#!/usr/bin/python3
"""Reference results of residual blocks and networks from torchvision / PyTorch (Debian's torch).

    /usr/bin/python3 scripts/gen_model_reference.py --out DIR --group GROUP [--seed N] [--size NxCxHxW]

blocks, nets: cases sized by the seed, BN state randomized, run in float64 and in float32 (eval forward,
training forward, cross entropy, backward) into DIR/reference.safetensors (NAME.state.KEY, .input, .target,
and per run NAME.float64.* / NAME.float32.*: .out_eval, .out_train, .loss, .grad.input, .grad.PARAM,
.after.BUFFER) and DIR/cases.json (configurations with the TypeScript option names, state-dict keys, init
fingerprints).
archs: keys, shapes and parameter counts of every architecture. (nn.init and layers: test/nn/gen_nn_reference.py.)
"""

import argparse
import copy
import json
import os
import random
import struct
from unittest import mock

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet, conv1x1

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}
TORCHVISION = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
               "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]
CIFAR_DEPTHS = {"resnet20": 3, "resnet32": 5, "resnet44": 7, "resnet56": 9, "resnet110": 18, "resnet1202": 200}


# ---- the CIFAR networks of He et al. 2015 (section 4.2), as github.com/akamaster builds them ----

class LambdaLayer(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def pad_shortcut(stride, extra):
    """Option A: x[:, :, ::s, ::s] with zero channels added on both sides."""
    return LambdaLayer(lambda x: F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, extra // 2, extra - extra // 2)))


class CifarBlock(nn.Module):
    def __init__(self, in_planes, planes, stride, shortcut):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        changes = stride != 1 or in_planes != planes
        self.shortcut = (None if shortcut == "none" else nn.Identity() if not changes
                         else pad_shortcut(stride, planes - in_planes) if shortcut == "A"
                         else nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes)))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out if self.shortcut is None else out + self.shortcut(x))


def cifar_stage(in_planes, planes, n, stride, kind):
    return nn.Sequential(*[CifarBlock(in_planes if i == 0 else planes, planes, stride if i == 0 else 1, kind)
                           for i in range(n)])


class CifarResNet(nn.Module):
    def __init__(self, n, num_classes=10, in_channels=3, shortcut="A", plain=False):
        super().__init__()
        kind = "none" if plain else shortcut
        self.conv1 = nn.Conv2d(in_channels, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = cifar_stage(16, 16, n, 1, kind)
        self.layer2 = cifar_stage(16, 32, n, 2, kind)
        self.layer3 = cifar_stage(32, 64, n, 2, kind)
        self.linear = nn.Linear(64, num_classes)
        self.apply(lambda m: nn.init.kaiming_normal_(m.weight) if isinstance(m, (nn.Conv2d, nn.Linear)) else None)

    def forward(self, x):
        out = self.layer3(self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x))))))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


# ---- building a case from its configuration (keys and options as TypeScript names them) ----

def build(cfg):
    kind, o = cfg["kind"], cfg.get("options", {})
    block = BasicBlock if cfg.get("block") == "BasicBlock" else Bottleneck
    if kind == "block":
        out, ds = cfg["planes"] * block.expansion, cfg["downsample"]
        down = None if ds is None else nn.Sequential(conv1x1(cfg["inplanes"], out, ds["stride"]), nn.BatchNorm2d(out))
        return block(cfg["inplanes"], cfg["planes"], cfg["stride"], down, cfg["groups"], cfg["baseWidth"],
                     cfg["dilation"])
    if kind == "cifar":
        return CifarResNet(CIFAR_DEPTHS[cfg["factory"]], o.get("numClasses", 10), o.get("inChannels", 3),
                           o.get("shortcut", "A"), o.get("plain", False))
    names = {"numClasses": "num_classes", "zeroInitResidual": "zero_init_residual", "groups": "groups",
             "widthPerGroup": "width_per_group", "replaceStrideWithDilation": "replace_stride_with_dilation"}
    kw = {names[k]: v for k, v in o.items()}
    return getattr(tvm, cfg["factory"])(**kw) if kind == "torchvision" else ResNet(block, cfg["layers"], **kw)


def keys_of(model):
    return [[k, list(v.shape), str(v.dtype)[6:]] for k, v in model.state_dict().items()]  # dtype without "torch."


def num_params(model):
    return sum(p.numel() for p in model.parameters())


def block_cases(rng):
    def block(name, blk, inplanes, planes, stride=1, down=None, groups=1, base_width=64, dilation=1):
        return {"name": name, "kind": "block", "block": blk, "inplanes": inplanes, "planes": planes,
                "stride": stride, "downsample": None if down is None else {"stride": down}, "groups": groups,
                "baseWidth": base_width, "dilation": dilation,
                "input": [rng.randint(2, 3), inplanes, rng.randrange(5, 14, 2), rng.randrange(5, 14, 2)]}

    c, p = rng.choice([4, 6, 8]), rng.choice([2, 3, 4])
    return [block("basic_identity", "BasicBlock", c, c),
            block("basic_projection", "BasicBlock", c, 2 * c, stride=2, down=2),
            block("bottleneck_identity", "Bottleneck", 4 * p, p),
            block("bottleneck_first", "Bottleneck", p * rng.choice([1, 2]), p, down=1),  # as resnet50's layer1.0
            block("bottleneck_stride2", "Bottleneck", 4 * p, 2 * p, stride=2, down=2),
            block("bottleneck_grouped", "Bottleneck", 16, 8, stride=2, down=2, groups=4, base_width=16),
            block("bottleneck_dilated", "Bottleneck", 4 * p, p, dilation=2)]


def net_cases(rng, size):
    img = size or [2, 3, rng.randrange(33, 54, 2), rng.randrange(33, 54, 2)]  # odd; float64 on two cores
    odd = [rng.randrange(25, 40, 2), rng.randrange(25, 40, 2)]

    def tv(name, **o):
        return {"name": name, "kind": "torchvision", "factory": name, "options": o, "input": img}

    def cifar(name, hw, **o):
        return {"name": name, "kind": "cifar", "factory": "resnet20", "options": o,
                "input": [rng.randint(2, 3), o.get("inChannels", 3)] + hw}

    return [
        tv("resnet18", numClasses=10), tv("resnet50", numClasses=10),
        {"name": "resnet_grouped_dilated", "kind": "resnet", "block": "Bottleneck", "layers": [1, 1, 1, 1],
         "options": {"numClasses": 7, "groups": 2, "widthPerGroup": 16,
                     "replaceStrideWithDilation": [False, True, True]}, "input": [2, 3, 29, 35]},
        cifar("resnet20_A", [32, 32], shortcut="A"), cifar("resnet20_A_gray", [32, 32], shortcut="A", inChannels=1),
        cifar("resnet20_B", odd, shortcut="B", numClasses=5), cifar("resnet20_plain", odd, plain=True),
    ]


def randomize(model, gen):
    """Float32-exact random BN state, so eval mode and the affine parameters matter."""
    with torch.no_grad():
        for m in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
            c = m.num_features
            for t, v in [(m.weight, torch.rand(c, generator=gen) + 0.5), (m.bias, torch.randn(c, generator=gen) * 0.2),
                         (m.running_mean, torch.randn(c, generator=gen) * 0.2),
                         (m.running_var, torch.rand(c, generator=gen) * 1.5 + 0.5),
                         (m.num_batches_tracked, torch.randint(0, 1000, (), generator=gen))]:
                t.copy_(v)


def forward_backward(model, x, target=None, gen=None):
    """Eval forward, training forward, cross entropy, backward: every result by reference name."""
    with torch.no_grad():
        r = {"out_eval": model.eval()(x)}
    x = x.detach().clone().requires_grad_(True)
    out = model.train()(x)
    if target is None:
        target = torch.randint(0, out.shape[1], (out.shape[0],) + tuple(out.shape[2:]), generator=gen)
    (loss := F.cross_entropy(out, target)).backward()
    r.update({"out_train": out, "target": target, "loss": loss, "grad.input": x.grad})
    r.update({f"grad.{k}": p.grad for k, p in model.named_parameters()})
    r.update({f"after.{k}": b for k, b in model.named_buffers()})
    return r


def run_case(cfg, gen, put):
    """Runs the case in float64 (the portable reference, NAME.float64.*) and in float32 (NAME.float32.*: what the
    library's float32 run must reproduce, as it runs the same libtorch; float64 would not do as its reference,
    since through 50 layers of ReLU masks, max-pool choices and few-value batch statistics float32 gradients are
    good to ~1e-2 only)."""
    name, model = cfg["name"], build(cfg)
    randomize(model, gen)
    model32, model = copy.deepcopy(model), model.double()
    cfg["keys"], cfg["numParameters"] = keys_of(model), num_params(model)
    for k, v in model.state_dict().items():
        put(f"{name}.state.{k}", v.float() if v.is_floating_point() else v)
    x = torch.randn(cfg["input"], generator=gen)
    put(f"{name}.input", x)
    ref = forward_backward(model, x.double(), gen=gen)
    target = ref.pop("target")
    put(f"{name}.target", target)
    for dtype, results in [("float64", ref), ("float32", forward_backward(model32, x, target))]:
        for k, v in results.items():
            if k != "target":
                put(f"{name}.{dtype}.{k}", v)


def fingerprints(seed):
    """What a fresh network holds after manual_seed: equal values mean equal initialization."""
    out = {}
    tv, cifar = {"kind": "torchvision"}, {"kind": "cifar", "factory": "resnet20"}
    for name, cfg in [("resnet18", {**tv, "factory": "resnet18", "options": {"numClasses": 10}}),
                      ("resnext50_32x4d_zero", {**tv, "factory": "resnext50_32x4d",
                                                "options": {"numClasses": 10, "zeroInitResidual": True}}),
                      ("resnet20_A", {**cifar, "options": {}}), ("resnet20_B", {**cifar, "options": {"shortcut": "B"}})]:
        init_seed = (seed * 31 + len(out)) % (2 ** 31)
        torch.manual_seed(init_seed)
        tensors = {}
        for k, v in build(cfg).state_dict().items():
            flat = v.detach().reshape(-1).double()
            tensors[k] = {"head": flat[:8].tolist(), "tail": flat[-8:].tolist(), "sum": flat.sum().item(),
                          "sumsq": (flat * flat).sum().item()}
        out[name] = {**cfg, "initSeed": init_seed, "tensors": tensors}
    return out


def architectures():
    """Key lists of every architecture, built without drawing weights (wide_resnet101_2 has 127M)."""
    skip = {n: (lambda t, *a, **k: t) for n in ["kaiming_normal_", "kaiming_uniform_", "uniform_", "normal_",
                                                 "constant_", "zeros_", "ones_"]}
    out = {}
    with mock.patch.multiple(nn.init, **skip):
        for f in TORCHVISION:
            m = build({"kind": "torchvision", "factory": f})
            out[f] = {"keys": keys_of(m), "numParameters": num_params(m)}
        for f in CIFAR_DEPTHS:
            for variant, o in [("A", {}), ("B", {"shortcut": "B"}), ("plain", {"plain": True})]:
                m = build({"kind": "cifar", "factory": f, "options": o})
                out[f"{f}_{variant}"] = {"factory": f, "options": o, "keys": keys_of(m), "numParameters": num_params(m)}
    return out


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--group", choices=["blocks", "nets", "archs"], required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", help="input of the ImageNet networks, e.g. 2x3x37x53")
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    meta, tensors = {"seed": args.seed, "torch": torch.__version__, "threads": torch.get_num_threads()}, {}

    def put(name, t):
        assert name not in tensors, name
        tensors[name] = t.detach().contiguous().cpu().clone()

    if args.group == "archs":
        meta["architectures"] = architectures()
    else:
        rng, gen = random.Random(args.seed), torch.Generator().manual_seed(args.seed)
        torch.manual_seed(args.seed)  # convolution weights keep their default initialization
        size = [int(s) for s in args.size.split("x")] if args.size else None
        meta["cases"] = block_cases(rng) if args.group == "blocks" else net_cases(rng, size)
        for cfg in meta["cases"]:
            run_case(cfg, gen, put)
        if args.group == "nets":
            meta["init"] = fingerprints(args.seed)
    write(args.out, tensors, meta)


if __name__ == "__main__":
    main()
