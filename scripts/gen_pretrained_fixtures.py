"""Real torch.save files for the weights-by-name tests (test/models/pretrained.test.ts).

- tiny-<sha256[:8]>.pth: a small state dict, named as torchvision names its files (the hex is
  the prefix of the file's sha256, what torch.hub's check_hash verifies);
- resnet18-f37072fd.pth: torchvision's resnet18 (seeded random init, not the published
  weights, which cannot be downloaded here) under the published file's name, for the cache path.

usage: gen_pretrained_fixtures.py OUT_DIR; prints {"tiny": file name, "values": {key: [floats]}}.
"""

import hashlib
import json
import os
import sys

import torch
import torchvision


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    tiny = {"weight": torch.randn(3, 4), "bias": torch.randn(3)}
    path = os.path.join(out, "tiny.pth")
    torch.save(tiny, path)
    with open(path, "rb") as f:
        prefix = hashlib.sha256(f.read()).hexdigest()[:8]
    name = f"tiny-{prefix}.pth"
    os.rename(path, os.path.join(out, name))
    torch.save(torchvision.models.resnet18().state_dict(), os.path.join(out, "resnet18-f37072fd.pth"))
    print(json.dumps({"tiny": name, "values": {k: v.flatten().tolist() for k, v in tiny.items()}}))


if __name__ == "__main__":
    main()
