// Autograd: backward, gradients, requires_grad, and the grad-mode switch behind noGrad().
#include <ATen/core/grad_mode.h>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

// backward(tensor, grad | null, retainGraph, createGraph). A capture records it as one step: a
// replay runs libtorch's autograd engine again, gradient accumulation included.
void Backward(const at::Tensor& t, const MaybeTensor& grad, bool retain_graph, bool create_graph) {
  if (!t.requires_grad()) {
    Fail(ErrorKind::Argument,
         "backward() needs a tensor that requires grad (computed from a tensor with "
         "requiresGrad: true outside noGrad)");
  }
  if (!grad.t.defined() && t.numel() != 1) {
    Fail(ErrorKind::Shape,
         "backward() without a gradient needs a one-element tensor (a loss) but this one has shape " +
             c10::str(t.sizes()));
  }
  t.backward(grad.t, retain_graph, create_graph);
}

at::Tensor Grad(const at::Tensor& t) { return t.grad(); }

InPlace SetGrad(const at::Tensor& t, const MaybeTensor& grad) {
  t.mutable_grad() = grad.t;
  return {};
}

bool RequiresGrad(const at::Tensor& t) { return t.requires_grad(); }

InPlace SetRequiresGrad(at::Tensor t, bool value) {
  t.requires_grad_(value);
  return {};
}

bool IsLeaf(const at::Tensor& t) { return t.is_leaf(); }

InPlace RetainGrad(const at::Tensor& t) {
  t.retain_grad();
  return {};
}

// → the previous mode, so noGrad() can restore it. Recorded: a replay switches grad mode where
// the eager code did (grad mode is per thread, and the replay restores it when done).
bool SetGradEnabled(bool enabled) {
  const bool previous = at::GradMode::is_enabled();
  at::GradMode::set_enabled(enabled);
  return previous;
}

bool IsGradEnabled() { return at::GradMode::is_enabled(); }

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  Define<Backward>(env, exports, "backward", {"tensor", "gradient", "retainGraph", "createGraph"});
  Define<Grad>(env, exports, "grad", {"tensor"});
  Define<SetGrad>(env, exports, "setGrad", {"tensor", "grad"});
  Define<RequiresGrad>(env, exports, "requiresGrad", {"tensor"}, Policy::Query);
  Define<SetRequiresGrad>(env, exports, "setRequiresGrad", {"tensor", "requiresGrad"});
  Define<IsLeaf>(env, exports, "isLeaf", {"tensor"}, Policy::Query);
  Define<RetainGrad>(env, exports, "retainGrad", {"tensor"});
  Define<SetGradEnabled>(env, exports, "setGradEnabled", {"enabled"});
  Define<IsGradEnabled>(env, exports, "isGradEnabled", {}, Policy::Query);
}

}  // namespace rn
