"""Reference numbers for model summaries: parameter counts and multiply-accumulates (MACs) of
torchvision's ResNet family at 1x3x224x224, counted with forward hooks in PyTorch itself.

MACs are those of torchvision's published "GFLOPS" column: every Conv2d contributes
out_elements * (in_channels / groups) * kh * kw and every Linear out_elements * in_features;
batch norm, ReLU, pooling, additions and biases are not counted. Per-layer output shapes and MACs
are recorded for resnet50 and resnext50_32x4d.

Writes DIR/cases.json: {"architectures": {name: {"parameters", "macs", "layers"?}}}.
"""

import argparse
import json
import os

import torch
import torch.nn as nn
import torchvision.models as tvm

TORCHVISION = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
               "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]
DETAILED = {"resnet50", "resnext50_32x4d"}


def count(name):
    model = getattr(tvm, name)().eval()
    layers = {}

    def hook(mod_name):
        def fn(module, inputs, output):
            if isinstance(module, nn.Conv2d):
                kh, kw = module.kernel_size
                macs = output.numel() * (module.in_channels // module.groups) * kh * kw
            elif isinstance(module, nn.Linear):
                macs = output.numel() * module.in_features
            else:
                macs = 0
            layers[mod_name] = {"shape": list(output.shape), "macs": macs}
        return fn

    for mod_name, module in model.named_modules():
        if mod_name and not any(True for _ in module.children()):
            module.register_forward_hook(hook(mod_name))
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    entry = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "macs": sum(layer["macs"] for layer in layers.values()),
    }
    if name in DETAILED:
        entry["layers"] = layers
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    meta = {"torch": torch.__version__, "architectures": {n: count(n) for n in TORCHVISION}}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
