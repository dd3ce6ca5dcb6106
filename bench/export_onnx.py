"""Exports torchvision's resnet50 (random weights, eval mode) to ONNX for onnxruntime-node.

Usage: python3 bench/export_onnx.py OUT.onnx [BATCH]. The batch dimension is dynamic.
"""
import sys

import torch
import torchvision

out = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.manual_seed(0)
model = torchvision.models.resnet50().eval()
x = torch.randn(batch, 3, 224, 224)
torch.onnx.export(
    model,
    x,
    out,
    input_names=["input"],
    output_names=["logits"],
    dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    opset_version=13,
)
