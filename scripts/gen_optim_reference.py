"""Reference trajectories of torch.optim for test/optim: parameters after each step and the
learning rates of each schedule, given fixed gradients. Usage: gen_optim_reference.py SEED"""
import json
import warnings
import sys

import torch

warnings.simplefilter("ignore")  # SequentialLR calls step(0), which PyTorch flags as deprecated
seed = int(sys.argv[1])
torch.manual_seed(seed)
STEPS = 6
shapes = [(3, 4), (5,), (2, 3, 3)]
params0 = [torch.randn(s, dtype=torch.float64) for s in shapes]
grads = [[torch.randn(s, dtype=torch.float64) for s in shapes] for _ in range(STEPS)]


def run(make_opt, groups=False):
    ps = [p.clone().requires_grad_(True) for p in params0]
    args = [{"params": ps[:2], "weight_decay": 0.0}, {"params": ps[2:]}] if groups else ps
    opt = make_opt(args)
    traj = []
    for step in range(STEPS):
        for p, g in zip(ps, grads[step]):
            p.grad = g.clone()
        opt.step()
        traj.append([p.detach().flatten().tolist() for p in ps])
    return traj


cases = {
    "sgd_nesterov_wd": run(lambda a: torch.optim.SGD(a, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)),
    "sgd_dampening": run(lambda a: torch.optim.SGD(a, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2)),
    "sgd_plain": run(lambda a: torch.optim.SGD(a, lr=0.2)),
    "sgd_groups": run(lambda a: torch.optim.SGD(a, lr=0.1, momentum=0.9, weight_decay=1e-2), groups=True),
    "adamw": run(lambda a: torch.optim.AdamW(a, lr=1e-2, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.05)),
    "adamw_amsgrad": run(lambda a: torch.optim.AdamW(a, lr=3e-3, amsgrad=True)),
}


def lrs(make_sched, steps=25):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4, momentum=0.9)
    sched = make_sched(opt)
    out = [[opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]]]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append([opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]])
    return out


S = torch.optim.lr_scheduler
schedules = {
    "step": lrs(lambda o: S.StepLR(o, step_size=4, gamma=0.5)),
    "multistep": lrs(lambda o: S.MultiStepLR(o, milestones=[3, 7, 15], gamma=0.2)),
    "cosine": lrs(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.01)),
    "linear": lrs(lambda o: S.LinearLR(o, start_factor=0.1, total_iters=6)),
    "onecycle": lrs(lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=25), steps=24),
    "onecycle_3phase_linear": lrs(
        lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=25, three_phase=True, anneal_strategy="linear"), steps=24),
    "sequential": lrs(lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.2, total_iters=5), S.CosineAnnealingLR(o, T_max=15)], milestones=[5])),
}

print(json.dumps({"shapes": shapes, "params0": [p.flatten().tolist() for p in params0],
                  "grads": [[g.flatten().tolist() for g in gs] for gs in grads],
                  "cases": cases, "schedules": schedules}))
