"""Writes lib/download/torchvision.json: what resnet-native downloads, as torchvision 0.14 has it.

- weights: every member of the ResNet family's weight enums (ResNet50_Weights.IMAGENET1K_V2 …):
  URL, file name (its sha256 prefix is what torch.hub's check_hash verifies), which member is
  DEFAULT, and the evaluation transforms (resize and crop sizes) of its recipe;
- datasets: FashionMNIST's mirror and per-file md5s, CIFAR10's archive URL and md5 and the md5s
  of the files inside it.

usage: /usr/bin/python3 scripts/gen_download_table.py [OUT]  (Debian's python3-torchvision;
OUT defaults to lib/download/torchvision.json)
"""

import json
import os
import re
import sys

import torchvision
import torchvision.models as models
import torchvision.datasets as datasets

# architecture (the factory's name) -> its weights enum, as torchvision.models.resnet pairs them
ARCHS = {
    "resnet18": models.ResNet18_Weights,
    "resnet34": models.ResNet34_Weights,
    "resnet50": models.ResNet50_Weights,
    "resnet101": models.ResNet101_Weights,
    "resnet152": models.ResNet152_Weights,
    "resnext50_32x4d": models.ResNeXt50_32X4D_Weights,
    "resnext101_32x8d": models.ResNeXt101_32X8D_Weights,
    "resnext101_64x4d": models.ResNeXt101_64X4D_Weights,
    "wide_resnet50_2": models.Wide_ResNet50_2_Weights,
    "wide_resnet101_2": models.Wide_ResNet101_2_Weights,
}


def weights_entry(w):
    file = w.url.rsplit("/", 1)[1]
    prefix = re.search(r"-([a-f0-9]*)\.", file).group(1)  # torch.hub's HASH_REGEX
    t = w.transforms.keywords
    return {
        "url": w.url,
        "file": file,
        "sha256Prefix": prefix,
        "numClasses": len(w.meta["categories"]),
        "numParams": w.meta["num_params"],
        "cropSize": t["crop_size"],
        "resizeSize": t.get("resize_size", 256),  # ImageClassification's default
        "acc1": w.meta["_metrics"]["ImageNet-1K"]["acc@1"],
        "recipe": w.meta["recipe"],
    }


def main():
    weights = {}
    for arch, enum in ARCHS.items():
        weights[arch] = {
            "enum": enum.__name__,
            "default": enum.DEFAULT.name,
            "members": {w.name: weights_entry(w) for w in enum},
        }
    fm = datasets.FashionMNIST
    cifar = datasets.CIFAR10
    table = {
        "torchvision": torchvision.__version__,
        "weights": weights,
        "datasets": {
            "fashion-mnist": {
                "mirrors": fm.mirrors,
                "files": [{"file": f, "md5": md5} for f, md5 in fm.resources],
            },
            "cifar10": {
                "url": cifar.url,
                "file": cifar.filename,
                "md5": cifar.tgz_md5,
                "folder": cifar.base_folder,
                "contents": [
                    {"file": f, "md5": md5}
                    for f, md5 in cifar.train_list + cifar.test_list + [[cifar.meta["filename"], cifar.meta["md5"]]]
                ],
            },
        },
    }
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "lib", "download", "torchvision.json")
    with open(out, "w") as f:
        json.dump(table, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
