"""The PyTorch side of `npm run bench` (bench/bench.ts): one case, in this fresh process.

Usage: torch_case.py VARIANT CASE ITERS THREADS
  VARIANT: eager | frozen (torch.jit.trace + freeze + optimize_for_inference; inference only)
  CASE:    tiny-add | train-resnet20[-cl] | train-resnet18 | train-resnet50 | infer-resnet50-bN
Prints one JSON line: {"times": [ms per iteration (µs per call for tiny-add)], "rssMb": peak}.
The first iteration of each list is warm-up and is dropped by bench.ts.
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

variant, case, iters, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)


class Block(nn.Module):
    """ResNet-20's basic block with option A shortcuts (He et al. 2015, section 4.2)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = cout - cin if (stride != 1 or cin != cout) else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad // 2, self.pad // 2))
        return F.relu(out + sc)


class ResNet20(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for b in range(3):
                layers.append(Block(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def torchvision_model(name):
    import torchvision  # the pip CUDA torchvision wheels fail with a CPU torch: only here

    return getattr(torchvision.models, name)()


def timed(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def tiny_add(n):
    a, b = torch.randn(1), torch.randn(1)
    calls = 2000
    out = []
    for _ in range(n):
        t = time.perf_counter()
        for _ in range(calls):
            torch.add(a, b)
        out.append((time.perf_counter() - t) * 1e6 / calls)
    return out


def train(model, batch, channels, size, classes, channels_last, n):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(batch, channels, size, size)
    y = torch.randint(0, classes, (batch,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return timed(step, n)


def infer(batch, n):
    model = torchvision_model("resnet50").eval()
    x = torch.randn(batch, 3, 224, 224)
    with torch.no_grad():
        if variant == "frozen":
            model = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, x)))
            model(x)  # the optimizing passes run on the first calls
        return timed(lambda: model(x), n)


if case == "tiny-add":
    times = tiny_add(iters)
elif case.startswith("train-resnet20"):
    times = train(ResNet20(1), 128, 1, 28, 10, case.endswith("-cl"), iters)
elif case == "train-resnet18":
    times = train(torchvision_model("resnet18"), 16, 3, 224, 1000, False, iters)
elif case == "train-resnet50":
    times = train(torchvision_model("resnet50"), 8, 3, 224, 1000, False, iters)
elif case.startswith("infer-resnet50-b"):
    times = infer(int(case.rsplit("b", 1)[1]), iters)
else:
    raise SystemExit(f"unknown case {case}")
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "rssMb": rss_mb, "torch": torch.__version__}))
