#!/usr/bin/python3
"""torchvision's eval preprocessing on PIL, for images this script writes (Debian's torchvision 0.14).

    /usr/bin/python3 test/preprocess/gen_preprocess_reference.py --out DIR [--seed N]

Writes DIR/<case>.<png|jpg> (smooth gradients with a little noise, the kind of content photos
have; fixed, the seed is unused) and DIR/reference.safetensors with <case> =
Normalize(mean, std)(ToTensor(CenterCrop(crop)(Resize(resize)(image)))) in float32, and
DIR/cases.json with each case's file, sizes, mean and std.
"""

import argparse
import json
import os
import struct

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image

IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
CASES = [
    # name, width, height, mode, format, resize, crop, (mean, std)
    ("landscape_256_224", 400, 300, "RGB", "png", 256, 224, IMAGENET),
    ("portrait_232_224", 300, 410, "RGB", "png", 232, 224, IMAGENET),
    ("small_36_32", 48, 40, "RGB", "png", 36, 32, IMAGENET),
    ("upscaled_256_224", 120, 90, "RGB", "png", 256, 224, IMAGENET),
    ("jpeg_256_224", 400, 300, "RGB", "jpg", 256, 224, IMAGENET),
    ("identity_gray_28", 28, 28, "L", "png", 28, 28, ([0.286], [0.353])),
]


def picture(width, height, channels, rng):
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = [
        127 + 100 * np.sin(x / (7 + 5 * c) + y / (11 + 3 * c) + c) * np.cos(y / (13 + c)) for c in range(channels)
    ]
    img = np.stack(planes, axis=-1) + rng.normal(0, 6, (height, width, channels))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(1234)
    tensors, cases = {}, []
    for name, w, h, mode, fmt, resize, crop, (mean, std) in CASES:
        pixels = picture(w, h, 3 if mode == "RGB" else 1, rng)
        image = Image.fromarray(pixels if mode == "RGB" else pixels[:, :, 0], mode)
        file = f"{name}.{fmt}"
        image.save(os.path.join(args.out, file), quality=92) if fmt == "jpg" else image.save(os.path.join(args.out, file))
        loaded = Image.open(os.path.join(args.out, file)).convert(mode)  # torchvision's loader path
        t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(mean, std)])(loaded)
        tensors[name] = t.contiguous().float()
        cases.append({"name": name, "file": file, "resizeSize": resize, "cropSize": crop, "mean": mean, "std": std})
    header, chunks, offset = {}, [], 0
    for key, t in tensors.items():
        data = t.numpy().tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(args.out, "reference.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        meta = {"cases": cases, "torch": torch.__version__, "torchvision": torchvision.__version__}
        meta["pil"] = Image.__version__
        json.dump(meta, f)


if __name__ == "__main__":
    main()
