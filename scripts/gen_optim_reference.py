#!/usr/bin/python3
"""Reference runs of torch.optim for test/optim, given fixed gradients, and the learning rates
of each schedule.

    /usr/bin/python3 scripts/gen_optim_reference.py --out DIR --seed N     (writes DIR/cases.json)

Each optimizer runs STEPS steps in float64 and in float32; what is recorded is each step's
update p_t - p_(t-1), computed in float64 from the run's parameters (exact for float32 values),
because an error in one step's update is lost in the size of the parameters. "resumed" runs are
the same optimizers stopped after RESUME_AT steps, saved with torch.save (parameters and
optimizer state dict), loaded into fresh parameters and a fresh optimizer, and run on.
Parameters and gradients hold float32-exact values, so every run sees the same inputs.
"""
import argparse
import io
import json
import os
import warnings

import torch

STEPS, RESUME_AT = 6, 3
SHAPES = [(3, 4), (5,), (2, 3, 3)]
DTYPES = {"float64": torch.float64, "float32": torch.float32}
OPTIMIZERS = {
    "sgd_nesterov_wd": lambda a: torch.optim.SGD(a, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4),
    "sgd_dampening": lambda a: torch.optim.SGD(a, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2),
    "sgd_plain": lambda a: torch.optim.SGD(a, lr=0.2),
    "sgd_groups": lambda a: torch.optim.SGD(a, lr=0.1, momentum=0.9, weight_decay=1e-2),
    "adamw": lambda a: torch.optim.AdamW(a, lr=1e-2, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.05),
    "adamw_amsgrad": lambda a: torch.optim.AdamW(a, lr=3e-3, amsgrad=True),
    "adam": lambda a: torch.optim.Adam(a, lr=1e-2, betas=(0.85, 0.99), eps=1e-7),
    "adam_wd_amsgrad": lambda a: torch.optim.Adam(a, lr=5e-3, weight_decay=0.1, amsgrad=True),
    "adam_skips": lambda a: torch.optim.Adam(a, lr=1e-2),
    "rmsprop": lambda a: torch.optim.RMSprop(a, lr=1e-2),
    "rmsprop_centered_momentum": lambda a: torch.optim.RMSprop(
        a, lr=3e-3, alpha=0.9, eps=1e-6, weight_decay=1e-2, momentum=0.8, centered=True),
    "lars": lambda a: Lars(a, lr=0.2, weight_decay=1e-2, momentum=0.9, eta=0.02),
}
# Steps at which a parameter has no gradient: its step count (and bias corrections) lag behind.
SKIPS = {"adam_skips": {(0, 1), (2, 1), (1, 2)}}


class Lars(torch.optim.Optimizer):
    """The LARS of facebookresearch's DINO and Barlow Twins (one-dimensional parameters get
    neither weight decay nor the trust ratio), written as there: torch.optim has no LARS."""

    def __init__(self, params, lr, weight_decay=0, momentum=0.9, eta=0.001):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, eta=eta))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                dp = p.grad
                if dp is None:
                    continue
                if p.ndim != 1:
                    dp = dp.add(p, alpha=g["weight_decay"])
                    param_norm = torch.norm(p)
                    update_norm = torch.norm(dp)
                    one = torch.ones_like(param_norm)
                    q = torch.where(param_norm > 0.,
                                    torch.where(update_norm > 0, (g["eta"] * param_norm / update_norm), one), one)
                    dp = dp.mul(q)
                param_state = self.state[p]
                if "mu" not in param_state:
                    param_state["mu"] = torch.zeros_like(p)
                mu = param_state["mu"]
                mu.mul_(g["momentum"]).add_(dp)
                p.add_(mu, alpha=-g["lr"])
# The resume runs: a momentum buffer (SGD), exp_avg and exp_avg_sq (AdamW), and max_exp_avg_sq.
RESUMED = ["sgd_dampening", "adamw", "adamw_amsgrad", "adam_wd_amsgrad", "rmsprop_centered_momentum", "lars"]


def f32_exact(t):
    return t.float().double()


def fresh(params0, dtype):
    return [p.to(dtype).clone().requires_grad_(True) for p in params0]


def make(name, ps):
    groups = [{"params": ps[:2], "weight_decay": 0.0}, {"params": ps[2:]}] if name == "sgd_groups" else ps
    return OPTIMIZERS[name](groups)


def run(name, params0, grads, dtype, resume_at=None):
    """Per-step updates (float64 lists) of optimizer `name`; with resume_at, saved and restored there."""
    ps = fresh(params0, dtype)
    opt = make(name, ps)
    updates = []
    for step in range(STEPS):
        if step == resume_at:
            buf = io.BytesIO()
            torch.save({"params": [p.detach() for p in ps], "optim": opt.state_dict()}, buf)
            buf.seek(0)
            saved = torch.load(buf)
            ps = [p.clone().requires_grad_(True) for p in saved["params"]]
            opt = make(name, ps)
            opt.load_state_dict(saved["optim"])
        before = [p.detach().double().clone() for p in ps]
        for i, (p, g) in enumerate(zip(ps, grads[step])):
            p.grad = None if (step, i) in SKIPS.get(name, ()) else g.to(dtype).clone()
        opt.step()
        updates.append([(p.detach().double() - b).flatten().tolist() for p, b in zip(ps, before)])
    return updates


def lrs(make_sched, steps=25):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4, momentum=0.9)
    sched = make_sched(opt)
    out = [[opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]]]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append([opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]])
    return out


def schedules():
    S = torch.optim.lr_scheduler
    return {
        "step": lrs(lambda o: S.StepLR(o, step_size=4, gamma=0.5)),
        "multistep": lrs(lambda o: S.MultiStepLR(o, milestones=[3, 7, 15], gamma=0.2)),
        "cosine": lrs(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.01)),
        "linear": lrs(lambda o: S.LinearLR(o, start_factor=0.1, total_iters=6)),
        "onecycle": lrs(lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=25), steps=24),
        "onecycle_3phase_linear": lrs(
            lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=25, three_phase=True, anneal_strategy="linear"),
            steps=24),
        "sequential": lrs(lambda o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.2, total_iters=5), S.CosineAnnealingLR(o, T_max=15)], milestones=[5])),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # SequentialLR calls step(0), which PyTorch flags as deprecated
    torch.manual_seed(args.seed)
    params0 = [f32_exact(torch.randn(s, dtype=torch.float64)) for s in SHAPES]
    grads = [[f32_exact(torch.randn(s, dtype=torch.float64)) for s in SHAPES] for _ in range(STEPS)]
    cases = {name: {d: run(name, params0, grads, t) for d, t in DTYPES.items()} for name in OPTIMIZERS}
    resumed = {name: {d: run(name, params0, grads, t, RESUME_AT) for d, t in DTYPES.items()} for name in RESUMED}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"seed": args.seed, "torch": torch.__version__, "threads": torch.get_num_threads(),
                   "shapes": SHAPES, "resumeAt": RESUME_AT, "params0": [p.flatten().tolist() for p in params0],
                   "grads": [[g.flatten().tolist() for g in gs] for gs in grads], "cases": cases,
                   "resumed": resumed,
                   "skips": {k: sorted(v) for k, v in SKIPS.items()}, "schedules": schedules()}, f)


if __name__ == "__main__":
    main()
