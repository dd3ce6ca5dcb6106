#!/usr/bin/python3
"""Reference values for test/nn from PyTorch (Debian's torch): nn.init after manual_seed, the gains and
fans, the default initialization of Conv2d and Linear, and BatchNorm2d's options over three training steps.

    /usr/bin/python3 test/nn/gen_nn_reference.py --out DIR --seed N     (writes DIR/cases.json)

(Whole blocks and networks come from scripts/gen_model_reference.py.)
"""

import argparse
import json
import os

import torch
import torch.nn as nn


def init_cases(seed):
    """nn.init, default layer initialization (after manual_seed) and BatchNorm2d options."""
    init, out = nn.init, {"fns": [], "layers": [], "gains": {}, "fans": [], "batchnorm": []}
    fns = [("kaimingNormal_", init.kaiming_normal_, {}), ("kaimingUniform_", init.kaiming_uniform_, {}),
           ("kaimingNormal_", init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}),
           ("kaimingUniform_", init.kaiming_uniform_, {"a": 5 ** 0.5}),
           ("kaimingNormal_", init.kaiming_normal_, {"a": 0.2, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
           ("xavierUniform_", init.xavier_uniform_, {"gain": 1.5}), ("xavierNormal_", init.xavier_normal_, {}),
           ("uniform_", init.uniform_, {"a": -0.3, "b": 0.7}), ("normal_", init.normal_, {"mean": 1, "std": 0.5}),
           ("constant_", init.constant_, {"val": 0.25})]
    for i, (name, fn, kw) in enumerate(fns):
        torch.manual_seed(seed + i)
        values = fn(torch.empty(6, 4, 3, 2), **kw).flatten().tolist()
        out["fns"].append({"fn": name, "kwargs": kw, "seed": seed + i, "shape": [6, 4, 3, 2], "values": values})
    for nl in ["linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        out["gains"][nl] = init.calculate_gain(nl)
    out["gains"]["leaky_relu:0.2"] = init.calculate_gain("leaky_relu", 0.2)
    for shape in [[5, 3], [8, 4, 3, 3], [2, 3, 4, 5, 6]]:
        out["fans"].append({"shape": shape, "fans": list(init._calculate_fan_in_and_fan_out(torch.empty(shape)))})
    layers = [("Conv2d", [4, 8, 3], {"bias": True}), ("Conv2d", [4, 6, [3, 1]], {"groups": 2}),
              ("Linear", [7, 5], {}), ("Linear", [3, 2], {"bias": False})]
    for i, (kind, args, kw) in enumerate(layers):
        torch.manual_seed(seed + 100 + i)
        state = {k: v.flatten().tolist() for k, v in getattr(nn, kind)(*args, **kw).state_dict().items()}
        out["layers"].append({"kind": kind, "args": args, "options": kw, "seed": seed + 100 + i, "state": state})
    bns = [{"momentum": None}, {"affine": False}, {"track_running_stats": False}, {"momentum": 0.3, "eps": 1e-3}]
    for i, kw in enumerate(bns):
        gen = torch.Generator().manual_seed(seed + 200 + i)
        bn = nn.BatchNorm2d(3, **kw).double()
        if bn.affine:
            bn.weight.data.uniform_(0.5, 1.5, generator=gen)
            bn.bias.data.normal_(0, 0.3, generator=gen)
        xs = [torch.randn(4, 3, 5, 6, generator=gen, dtype=torch.float64) * 2 + 1 for _ in range(3)]
        case = {"options": kw, "inputs": [x.flatten().tolist() for x in xs], "train": [bn(x).flatten().tolist() for x in xs]}
        case["state"] = {k: v.flatten().tolist() for k, v in bn.state_dict().items()}
        out["batchnorm"].append({**case, "eval": bn.eval()(xs[0]).flatten().tolist()})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"seed": args.seed, "torch": torch.__version__, "initFunctions": init_cases(args.seed % 100000)}, f)


if __name__ == "__main__":
    main()
