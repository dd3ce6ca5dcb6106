#!/usr/bin/python3
"""References for the training recipes (test/train/recipe.reference.test.ts): what torchvision's
references/classification/train.py does, run in PyTorch. Its helpers are not part of the
torchvision package, so set_weight_decay and ExponentialMovingAverage are copied here from
torchvision 0.14's references/classification/utils.py, and the schedule is built as its
train.py builds it.

    /usr/bin/python3 scripts/gen_recipe_reference.py --out DIR --seed N     (writes DIR/cases.json)
"""
import argparse
import json
import os
import warnings

import torch
import torchvision


def set_weight_decay(model, weight_decay, norm_weight_decay=None, norm_classes=None, custom_keys_weight_decay=None):
    """torchvision 0.14 references/classification/utils.py, returning names as well."""
    if not norm_classes:
        norm_classes = [torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm,
                        torch.nn.modules.instancenorm._InstanceNorm, torch.nn.LocalResponseNorm]
    norm_classes = tuple(norm_classes)
    params = {"other": [], "norm": []}
    params_weight_decay = {"other": weight_decay, "norm": norm_weight_decay}
    custom_keys = []
    if custom_keys_weight_decay is not None:
        for key, weight_decay in custom_keys_weight_decay:
            params[key] = []
            params_weight_decay[key] = weight_decay
            custom_keys.append(key)

    def _add_params(module, prefix=""):
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            full = f"{prefix}.{name}" if prefix != "" else name
            is_custom_key = False
            for key in custom_keys:
                target_name = f"{prefix}.{name}" if prefix != "" and "." in key else name
                if key == target_name:
                    params[key].append(full)
                    is_custom_key = True
                    break
            if not is_custom_key:
                if norm_weight_decay is not None and isinstance(module, norm_classes):
                    params["norm"].append(full)
                else:
                    params["other"].append(full)
        for child_name, child_module in module.named_children():
            child_prefix = f"{prefix}.{child_name}" if prefix != "" else child_name
            _add_params(child_module, prefix=child_prefix)

    _add_params(model)
    return [{"names": params[k], "weightDecay": params_weight_decay[k]} for k in params if len(params[k]) > 0]


def weight_decay_cases():
    model = torchvision.models.resnet18()
    out = {}
    for norm in (None, 0.0):
        for bias in (None, 0.0, 1e-5):
            custom = [("bias", bias)] if bias is not None else None
            groups = set_weight_decay(model, 1e-4, norm_weight_decay=norm, custom_keys_weight_decay=custom)
            out[f"norm={norm},bias={bias}"] = {"norm": norm, "bias": bias, "groups": groups}
    return out


def schedule(flags):
    """train.py's scheduler construction; the rate of each of `epochs` epochs (stepped per epoch)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=flags["lr"], momentum=0.9)
    S = torch.optim.lr_scheduler
    name = flags["lrScheduler"]
    if name == "steplr":
        main = S.StepLR(opt, step_size=flags["lrStepSize"], gamma=flags["lrGamma"])
    elif name == "cosineannealinglr":
        main = S.CosineAnnealingLR(opt, T_max=flags["epochs"] - flags["lrWarmupEpochs"], eta_min=flags["lrMin"])
    elif name == "exponentiallr":
        main = S.ExponentialLR(opt, gamma=flags["lrGamma"])
    elif name == "multisteplr":  # torchvision's detection script's multisteplr, with its milestones flag
        main = S.MultiStepLR(opt, milestones=flags["lrMilestones"], gamma=flags["lrGamma"])
    if flags["lrWarmupEpochs"] > 0:
        if flags["lrWarmupMethod"] == "linear":
            warm = S.LinearLR(opt, start_factor=flags["lrWarmupDecay"], total_iters=flags["lrWarmupEpochs"])
        else:
            warm = S.ConstantLR(opt, factor=flags["lrWarmupDecay"], total_iters=flags["lrWarmupEpochs"])
        sched = S.SequentialLR(opt, schedulers=[warm, main], milestones=[flags["lrWarmupEpochs"]])
    else:
        sched = main
    lrs = []
    for _ in range(flags["epochs"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


SCHEDULES = {
    "resnet50_v2": dict(lr=0.5, epochs=12, lrScheduler="cosineannealinglr", lrWarmupEpochs=5,
                        lrWarmupMethod="linear", lrWarmupDecay=0.01, lrMin=0.0, lrStepSize=30, lrGamma=0.1),
    "steplr_constant_warmup": dict(lr=0.1, epochs=12, lrScheduler="steplr", lrWarmupEpochs=3,
                                   lrWarmupMethod="constant", lrWarmupDecay=0.01, lrMin=0.0, lrStepSize=4,
                                   lrGamma=0.1),
    "cosine_min": dict(lr=0.2, epochs=9, lrScheduler="cosineannealinglr", lrWarmupEpochs=0,
                       lrWarmupMethod="constant", lrWarmupDecay=0.01, lrMin=0.001, lrStepSize=30, lrGamma=0.1),
    "exponential_warmup": dict(lr=0.1, epochs=8, lrScheduler="exponentiallr", lrWarmupEpochs=2,
                               lrWarmupMethod="linear", lrWarmupDecay=0.1, lrMin=0.0, lrStepSize=30, lrGamma=0.9),
    "multistep_milestones": dict(lr=0.02, epochs=26, lrScheduler="multisteplr", lrWarmupEpochs=1,
                                 lrWarmupMethod="linear", lrWarmupDecay=0.001, lrMin=0.0, lrStepSize=30,
                                 lrGamma=0.1, lrMilestones=[16, 22]),
}

CLIP_SHAPES = [(4, 3), (7,), (2, 2, 3)]


def clip_cases():
    grads = [torch.randn(s) for s in CLIP_SHAPES]
    out = {"shapes": CLIP_SHAPES, "grads": [g.flatten().tolist() for g in grads], "cases": {}}
    for max_norm in (0.5, 1e3):
        ps = [torch.zeros(s, requires_grad=True) for s in CLIP_SHAPES]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        out["cases"][str(max_norm)] = {"maxNorm": max_norm, "total": total.item(),
                                       "grads": [p.grad.flatten().tolist() for p in ps]}
    return out


class ExponentialMovingAverage(torch.optim.swa_utils.AveragedModel):
    """torchvision 0.14 references/classification/utils.py."""

    def __init__(self, model, decay, device="cpu"):
        def ema_avg(avg_model_param, model_param, num_averaged):
            return decay * avg_model_param + (1 - decay) * model_param

        super().__init__(model, device, ema_avg, use_buffers=True)


def ema_case():
    """train.py's EMA: the decay it derives, updates of a model whose weights change, and the
    warm-up restart (n_averaged.fill_(0)) after the second update."""
    batch_size, steps, epochs, decay_flag = 32, 4, 10, 0.999
    adjust = 1 * batch_size * steps / epochs
    alpha = min(1.0, (1.0 - decay_flag) * adjust)
    decay = 1.0 - alpha
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3))
    tensors = lambda m: list(m.parameters()) + list(m.buffers())
    ema = ExponentialMovingAverage(model, decay=decay)
    states, updates = [], []
    for step in range(5):
        new = []
        with torch.no_grad():
            for t in tensors(model):
                if t.dtype == torch.int64:
                    t.add_(7)
                else:
                    t.copy_(torch.randn(t.shape))
                new.append(t.flatten().tolist())
        updates.append(new)
        ema.update_parameters(model)
        if step == 1:
            ema.n_averaged.fill_(0)
        states.append([t.flatten().tolist() for t in tensors(ema.module)])
    return {"batchSize": batch_size, "steps": steps, "epochs": epochs, "decayFlag": decay_flag, "decay": decay,
            "restartAfter": 1, "updates": updates, "states": states}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"seed": args.seed, "torch": torch.__version__, "threads": torch.get_num_threads(),
                   "weightDecay": weight_decay_cases(),
                   "schedules": {k: {"flags": v, "lrs": schedule(v)} for k, v in SCHEDULES.items()},
                   "clip": clip_cases(), "ema": ema_case()}, f)


if __name__ == "__main__":
    main()
