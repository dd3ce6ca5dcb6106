// GradScaler's two kernels (lib/amp/grad_scaler.ts): unscaling gradients while checking them
// for inf/NaN, and the scale's growth/backoff update. libtorch's own kernels are used where the
// libtorch found has them for the tensors' device (CUDA; CPU from PyTorch 2.3 on). Otherwise
// (Debian's 1.13 on CPU) the same arithmetic runs as tensor ops, without reading any value
// back, following the CUDA kernels of aten/src/ATen/native/cuda/AmpKernels.cu.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/ops/_amp_foreach_non_finite_check_and_unscale.h>
#include <ATen/ops/_amp_update_scale.h>
#include <ATen/ops/add.h>
#include <ATen/ops/any.h>
#include <ATen/ops/eq.h>
#include <ATen/ops/isfinite.h>
#include <ATen/ops/logical_and.h>
#include <ATen/ops/logical_not.h>
#include <ATen/ops/logical_or.h>
#include <ATen/ops/maximum.h>
#include <ATen/ops/mul.h>
#include <ATen/ops/ne.h>
#include <ATen/ops/to.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros_like.h>
#include <c10/core/TensorOptions.h>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

bool HasKernel(const char* op, const at::Tensor& t) {
  const auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(op, "");
  return handle.hasKernelForDispatchKey(c10::computeDispatchKey(t.scalar_type(), t.layout(), t.device()));
}

void CheckScalarTensor(const at::Tensor& t, at::ScalarType dtype, const char* name) {
  if (t.numel() != 1 || t.scalar_type() != dtype)
    Fail(ErrorKind::Argument, std::string("Expected a one-element ") + c10::toString(dtype) + " tensor for " +
                                  name + " but received " + c10::toString(t.scalar_type()) + " with " +
                                  std::to_string(t.numel()) + " elements");
}

// grads *= inv_scale; found_inf = 1 when any gradient holds an inf or a NaN (else unchanged).
void AmpUnscale(const std::vector<at::Tensor>& grads, const at::Tensor& found_inf,
                const at::Tensor& inv_scale) {
  CheckScalarTensor(found_inf, at::kFloat, "foundInf");
  CheckScalarTensor(inv_scale, at::kFloat, "invScale");
  for (const at::Tensor& g : grads) {
    if (g.device() != inv_scale.device())
      Fail(ErrorKind::Device,
           "Expected every gradient on " + inv_scale.device().str() + " but one is on " + g.device().str());
  }
  if (grads.empty()) return;
  if (HasKernel("aten::_amp_foreach_non_finite_check_and_unscale_", grads.front())) {
    at::Tensor found = found_inf;
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found, inv_scale);
    return;
  }
  const at::Tensor factor = inv_scale.reshape({});
  at::Tensor any_bad = at::zeros_like(found_inf, at::kBool);
  for (const at::Tensor& g : grads) {
    any_bad.logical_or_(at::logical_not(at::isfinite(g)).any().reshape_as(found_inf));
    // In the gradient's own dtype, as the kernel's `val * inv_scale` stored back into it.
    g.mul_(factor);
  }
  found_inf.copy_(at::maximum(found_inf, any_bad.to(at::kFloat)));
}

// On found_inf: scale *= backoff and the tracker restarts; otherwise the tracker counts one more
// good step and every growth_interval-th one multiplies the scale by growth (unless that
// overflows float32).
void AmpUpdateScale(const at::Tensor& scale, const at::Tensor& growth_tracker, const at::Tensor& found_inf,
                    double growth, double backoff, int64_t interval) {
  CheckScalarTensor(scale, at::kFloat, "scale");
  CheckScalarTensor(growth_tracker, at::kInt, "growthTracker");
  CheckScalarTensor(found_inf, at::kFloat, "foundInf");
  if (HasKernel("aten::_amp_update_scale_", scale)) {
    at::Tensor s = scale;
    at::Tensor g = growth_tracker;
    at::_amp_update_scale_(s, g, found_inf, growth, backoff, interval);
    return;
  }
  // float * double products rounded to float once, as the kernel's float = float * double.
  const at::Tensor scale64 = scale.to(at::kDouble);
  const at::Tensor found = found_inf.ne(0);
  const at::Tensor successful = growth_tracker.add(1);
  const at::Tensor grows = successful.eq(interval).logical_and_(found.logical_not());
  const at::Tensor grown = scale64.mul(growth).to(at::kFloat);
  const at::Tensor backed_off = scale64.mul(backoff).to(at::kFloat);
  at::Tensor new_scale = at::where(grows.logical_and(at::isfinite(grown)), grown, scale);
  new_scale = at::where(found, backed_off, new_scale);
  const at::Tensor restart = found.logical_or(grows);
  const at::Tensor new_tracker = at::where(restart, at::zeros_like(successful), successful);
  scale.copy_(new_scale);
  growth_tracker.copy_(new_tracker);
}

// Whether libtorch's own kernels run for tensors of `device` (else the tensor-op fallback), for
// the tests to say which path they checked.
bool AmpHasNativeKernels(const at::Tensor& like) {
  return HasKernel("aten::_amp_foreach_non_finite_check_and_unscale_", like) &&
         HasKernel("aten::_amp_update_scale_", like);
}

}  // namespace

void RegisterAmp(Napi::Env env, Napi::Object exports) {
  // Refused during a capture: a GradScaler's step reads found_inf back to decide, which a
  // replay could not do.
  Define<AmpUnscale>(env, exports, "ampUnscale_", {"grads", "foundInf", "invScale"}, Policy::Refuse);
  Define<AmpUpdateScale>(
      env, exports, "ampUpdateScale_",
      {"scale", "growthTracker", "foundInf", "growthFactor", "backoffFactor", "growthInterval"},
      Policy::Refuse);
  Define<AmpHasNativeKernels>(env, exports, "ampHasNativeKernels", {"like"}, Policy::Query);
}

}  // namespace rn
