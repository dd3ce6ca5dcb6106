"""Reference index lists of torch.utils.data.DistributedSampler: for datasets of several sizes
(some not divisible by the world size, one smaller than it), world sizes, ranks, shuffle on
and off, drop_last on and off, and several epochs (set_epoch), the indices each rank gets.
Sizes and seeds are drawn from --seed, so every run checks new ones.

Writes DIR/cases.json: {"torch", "cases": [{"n", "replicas", "rank", "shuffle", "seed", "epoch",
"drop_last", "indices"}]}.
"""

import argparse
import json
import os
import random

import torch
from torch.utils.data import DistributedSampler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sizes = [0, 1, 3, 10, 17, 64, rng.randint(2, 500), rng.randint(2, 500)]
    cases = []
    for n in sizes:
        for replicas in (1, 2, 3, 4):
            for shuffle in (False, True):
                for drop_last in (False, True):
                    seed = rng.randint(0, 2**20)
                    for rank in range(replicas):
                        sampler = DistributedSampler(
                            list(range(n)), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
                            drop_last=drop_last)
                        for epoch in (0, 1, 5):
                            sampler.set_epoch(epoch)
                            if n == 0 and not drop_last:
                                continue  # PyTorch divides by zero padding an empty dataset
                            cases.append({"n": n, "replicas": replicas, "rank": rank, "shuffle": shuffle,
                                          "seed": seed, "epoch": epoch, "drop_last": drop_last,
                                          "indices": list(iter(sampler))})
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
