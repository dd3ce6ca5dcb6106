#!/usr/bin/python3
"""References for the training augmentations (test/data/augment.reference.test.ts): torchvision
0.14's AutoAugment ops (torchvision.transforms.functional on uint8 tensors, as
autoaugment._apply_op calls them), its augmentation spaces and policies, and the reference
script's RandomMixup / RandomCutmix (references/classification/transforms.py, not part of the
torchvision package: copied below with their random draws made arguments).

    /usr/bin/python3 scripts/gen_augment_reference.py --out DIR --seed N

Writes DIR/reference.safetensors (float32 tensors; uint8 images are stored as float32 of their
integer values) and DIR/cases.json. Images are photo-like (smooth gradients with noise), drawn
from the seed, of a few sizes, RGB and grayscale.
"""
import argparse
import json
import math
import os
import struct

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode, autoaugment as AA


def picture(channels, height, width, g):
    y = torch.arange(height, dtype=torch.float64).view(-1, 1)
    x = torch.arange(width, dtype=torch.float64).view(1, -1)
    phase = torch.rand(channels, generator=g, dtype=torch.float64) * 6
    planes = [127 + 110 * torch.sin(x / (5 + 4 * c) + y / (9 + 3 * c) + phase[c]) * torch.cos(y / (11 + c))
              for c in range(channels)]
    img = torch.stack(planes) + torch.randn(channels, height, width, generator=g, dtype=torch.float64) * 12
    return img.round().clamp(0, 255).to(torch.uint8)


# ---- the reference script's mixup and cutmix (torchvision 0.14, references/classification/transforms.py),
# ---- with lambda and the box center passed in instead of drawn
def random_mixup(batch, target, num_classes, lambda_param):
    batch = batch.clone()
    target = target.clone()
    if target.ndim == 1:
        target = torch.nn.functional.one_hot(target, num_classes=num_classes).to(dtype=batch.dtype)
    batch_rolled = batch.roll(1, 0)
    target_rolled = target.roll(1, 0)
    batch_rolled.mul_(1.0 - lambda_param)
    batch.mul_(lambda_param).add_(batch_rolled)
    target_rolled.mul_(1.0 - lambda_param)
    target.mul_(lambda_param).add_(target_rolled)
    return batch, target


def random_cutmix(batch, target, num_classes, lambda_param, r_x, r_y):
    batch = batch.clone()
    target = target.clone()
    if target.ndim == 1:
        target = torch.nn.functional.one_hot(target, num_classes=num_classes).to(dtype=batch.dtype)
    batch_rolled = batch.roll(1, 0)
    target_rolled = target.roll(1, 0)
    _, H, W = F.get_dimensions(batch)
    r_x = torch.tensor([r_x])
    r_y = torch.tensor([r_y])
    r = 0.5 * math.sqrt(1.0 - lambda_param)
    r_w_half = int(r * W)
    r_h_half = int(r * H)
    x1 = int(torch.clamp(r_x - r_w_half, min=0))
    y1 = int(torch.clamp(r_y - r_h_half, min=0))
    x2 = int(torch.clamp(r_x + r_w_half, max=W))
    y2 = int(torch.clamp(r_y + r_h_half, max=H))
    batch[:, :, y1:y2, x1:x2] = batch_rolled[:, :, y1:y2, x1:x2]
    lambda_param = float(1.0 - (x2 - x1) * (y2 - y1) / (W * H))
    target_rolled.mul_(1.0 - lambda_param)
    target.mul_(lambda_param).add_(target_rolled)
    return batch, target, lambda_param, [x1, y1, x2, y2]


def mix_cases(tensors, g):
    cases = []
    for i in range(8):
        kind = "mixup" if i % 2 == 0 else "cutmix"
        n, c = int(torch.randint(2, 6, (1,), generator=g)), int(torch.randint(2, 11, (1,), generator=g))
        h, w = int(torch.randint(3, 20, (1,), generator=g)), int(torch.randint(3, 20, (1,), generator=g))
        batch = torch.randn(n, 3, h, w, generator=g)
        target = torch.randint(0, c, (n,), generator=g)
        lam = float(torch.distributions.Beta(1.0, 1.0).sample()) if i < 6 else [0.0, 1.0][i % 2]
        lam = float(torch.tensor(lam, dtype=torch.float32))  # as the library passes it on
        name = f"mix.{i}"
        tensors[f"{name}.batch"] = batch
        tensors[f"{name}.target"] = target
        case = {"name": name, "kind": kind, "numClasses": c, "lambda": lam}
        if kind == "mixup":
            out, soft = random_mixup(batch, target, c, lam)
        else:
            rx, ry = int(torch.randint(w, (1,), generator=g)), int(torch.randint(h, (1,), generator=g))
            out, soft, corrected, box = random_cutmix(batch, target, c, lam, rx, ry)
            case.update({"rx": rx, "ry": ry, "correctedLambda": corrected, "box": box})
        tensors[f"{name}.out"] = out
        tensors[f"{name}.soft"] = soft
        cases.append(case)
    return cases


# ---- the AutoAugment ops
def op_magnitudes(op, h, w):
    """Magnitudes from torchvision's own spaces (TrivialAugmentWide's and RandAugment's), both signs."""
    ta = AA.TrivialAugmentWide()._augmentation_space(31)
    ra = AA.RandAugment()._augmentation_space(31, (h, w))
    if op not in ta:  # Invert: only AutoAugment has it, without a magnitude
        return [0.0]
    mags, signed = ta[op]
    if mags.ndim == 0:
        return [0.0]
    picks = [float(mags[i]) for i in (3, 17, 30)] + [float(ra[op][0][9])]
    if op == "Posterize":
        picks = [float(m) for m in mags.unique()]
    if op == "Solarize":
        picks = [float(mags[i]) for i in (0, 5, 20, 30)]
    return picks + ([-m for m in picks[:2]] if signed else [])


OPS = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast",
       "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"]


GEOMETRIC = {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"}


def inverse_matrix(op, m, h, w):
    """The matrix F.affine / F.rotate compute for _apply_op's call (tensor path)."""
    if op == "Rotate":
        return F._get_inverse_affine_matrix([0.0, 0.0], -m, [0.0, 0.0], 1.0, [0.0, 0.0])
    if op in ("ShearX", "ShearY"):
        shear = [math.degrees(math.atan(m)), 0.0] if op == "ShearX" else [0.0, math.degrees(math.atan(m))]
        return F._get_inverse_affine_matrix([0 - w * 0.5, 0 - h * 0.5], 0.0, [0.0, 0.0], 1.0, shear)
    translate = [1.0 * int(m), 0.0] if op == "TranslateX" else [0.0, 1.0 * int(m)]
    return F._get_inverse_affine_matrix([0.0, 0.0], 0.0, translate, 1.0, [0.0, 0.0])


def op_cases(tensors, g):
    images = [picture(3, 32, 32, g), picture(3, 29, 41, g), picture(1, 28, 28, g)]
    flat = picture(3, 9, 7, g)
    flat[0] = 77  # a constant channel: AutoContrast's and Equalize's degenerate case
    images.append(flat)
    cases = []
    for k, img in enumerate(images):
        tensors[f"image.{k}"] = img.float()
        for op in OPS:
            modes = ["nearest", "bilinear"] if op in GEOMETRIC else ["nearest"]
            for mode in modes:
                for j, m in enumerate(op_magnitudes(op, img.shape[1], img.shape[2])):
                    out = AA._apply_op(img, op, m, interpolation=InterpolationMode(mode), fill=None)
                    assert out.dtype == torch.uint8
                    name = f"op.{k}.{op}.{mode}.{j}"
                    tensors[name] = out.float()
                    case = {"name": name, "image": f"image.{k}", "op": op, "magnitude": m, "interpolation": mode}
                    if op in GEOMETRIC:
                        case["matrix"] = inverse_matrix(op, m, img.shape[1], img.shape[2])
                    cases.append(case)
    return cases


def spaces():
    """Each transform's ops in torchvision's order, with magnitudes (as float32 values, read back as
    Python floats, which is what _apply_op receives) and whether they are signed."""
    def table(space):
        return [{"op": k, "magnitudes": [float(x) for x in v[0].flatten()] if v[0].ndim > 0 else None, "signed": v[1]}
                for k, v in space.items()]
    out = {"trivialAugmentWide": table(AA.TrivialAugmentWide()._augmentation_space(31))}
    for h, w in [(32, 32), (224, 224), (29, 41)]:
        out[f"randAugment.{h}x{w}"] = table(AA.RandAugment()._augmentation_space(31, (h, w)))
        out[f"autoAugment.{h}x{w}"] = table(AA.AutoAugment()._augmentation_space(10, (h, w)))
    return out


def policies():
    out = {}
    for p in AA.AutoAugmentPolicy:
        out[p.value] = [[[op, prob, mag] for (op, prob, mag) in sub] for sub in AA.AutoAugment(p).policies]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, required=True)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    tensors = {}
    meta = {"seed": args.seed, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "threads": torch.get_num_threads(), "mix": mix_cases(tensors, g), "ops": op_cases(tensors, g),
            "spaces": spaces(), "policies": policies()}
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "reference.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
