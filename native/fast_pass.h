// The inference fast path: a pass over a captured eval-mode program (native/capture.h) that
// replaces each convolution, with the batch norm, residual add and ReLU that follow it, by one
// FusedConv step (native/fast_conv.h). Everything else replays as captured. The result equals
// the captured program's within float32 rounding (batch norm folding reassociates).
#pragma once
#include <memory>

#include "capture.h"

namespace rn {

// The fast program for `p`, or `p` itself when it has nothing to fuse or is not an inference
// program (it records gradients or changes tensors outside it: training-mode batch norm).
std::shared_ptr<const Program> PrepareInference(const std::shared_ptr<const Program>& p);

}  // namespace rn
