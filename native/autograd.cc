// Autograd: backward, gradients, requires_grad, and the grad-mode switch behind noGrad().
#include <ATen/core/grad_mode.h>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

// backward(tensor, grad | null, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  const at::Tensor grad = a.OptionalTensor(1, "gradient");
  if (!t.requires_grad()) {
    Throw(a.env(), ErrorKind::Argument,
          "backward() needs a tensor that requires grad (computed from a tensor with "
          "requiresGrad: true outside noGrad)");
  }
  if (!grad.defined() && t.numel() != 1) {
    Throw(a.env(), ErrorKind::Shape,
          "backward() without a gradient needs a one-element tensor (a loss) but this one has shape " +
              c10::str(t.sizes()));
  }
  t.backward(grad, a.Bool(2, "retainGraph"), a.Bool(3, "createGraph"));
  return a.env().Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "tensor").grad());
}

// setGrad(tensor, grad | null)
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  t.mutable_grad() = a.OptionalTensor(1, "grad");
  return a.env().Undefined();
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  return Napi::Boolean::New(a.env(), a.Tensor(0, "tensor").requires_grad());
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  at::Tensor t = a.Tensor(0, "tensor");
  t.requires_grad_(a.Bool(1, "requiresGrad"));
  return a.env().Undefined();
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  Args a(info);
  return Napi::Boolean::New(a.env(), a.Tensor(0, "tensor").is_leaf());
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  a.Tensor(0, "tensor").retain_grad();
  return a.env().Undefined();
}

// setGradEnabled(enabled) → the previous mode, so noGrad() can restore it.
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  Args a(info);
  const bool previous = at::GradMode::is_enabled();
  at::GradMode::set_enabled(a.Bool(0, "enabled"));
  return Napi::Boolean::New(a.env(), previous);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, NativeFn> fns[] = {
      {"backward", Backward},
      {"grad", Grad},
      {"setGrad", SetGrad},
      {"requiresGrad", RequiresGrad},
      {"setRequiresGrad", SetRequiresGrad},
      {"isLeaf", IsLeaf},
      {"retainGrad", RetainGrad},
      {"setGradEnabled", SetGradEnabled},
      {"isGradEnabled", IsGradEnabled},
  };
  for (const auto& [name, fn] : fns) Export(env, exports, name, fn);
}

}  // namespace rn
