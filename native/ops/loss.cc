// Losses. Reductions are passed as the strings PyTorch uses: 'none' | 'mean' | 'sum'.
#include <ATen/core/Reduction.h>
#include <ATen/ops/binary_cross_entropy_with_logits.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/mse_loss.h>
#include <ATen/ops/nll_loss_nd.h>

#include "op.h"
#include "registry.h"

namespace rn {

// 'none' | 'mean' | 'sum', as PyTorch spells the reduction.
struct Reduction {
  int64_t value;
};

template <>
struct Reader<Reduction> {
  static Reduction Read(const Args& a, size_t i, const char* name) {
    const std::string r = a.String(i, name);
    if (r == "mean") return {at::Reduction::Mean};
    if (r == "sum") return {at::Reduction::Sum};
    if (r == "none") return {at::Reduction::None};
    a.Fail(name, "'none', 'mean' or 'sum'", i);
  }
};

namespace {

at::Tensor CrossEntropy(const at::Tensor& x, const at::Tensor& target, const MaybeTensor& weight, Reduction r,
                        int64_t ignore_index, double smoothing) {
  return at::cross_entropy_loss(x, target, weight.t, r.value, ignore_index, smoothing);
}

at::Tensor NllLoss(const at::Tensor& x, const at::Tensor& target, const MaybeTensor& weight, Reduction r,
                   int64_t ignore_index) {
  return at::nll_loss_nd(x, target, weight.t, r.value, ignore_index);
}

at::Tensor MseLoss(const at::Tensor& x, const at::Tensor& target, Reduction r) {
  return at::mse_loss(x, target, r.value);
}

at::Tensor BceWithLogits(const at::Tensor& x, const at::Tensor& target, const MaybeTensor& weight,
                         const MaybeTensor& pos_weight, Reduction r) {
  return at::binary_cross_entropy_with_logits(x, target, weight.t, pos_weight.t, r.value);
}

}  // namespace

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  Define<CrossEntropy>(env, exports, "crossEntropy",
                       {"input", "target", "weight", "reduction", "ignoreIndex", "labelSmoothing"});
  Define<NllLoss>(env, exports, "nllLoss", {"input", "target", "weight", "reduction", "ignoreIndex"});
  Define<MseLoss>(env, exports, "mseLoss", {"input", "target", "reduction"});
  Define<BceWithLogits>(env, exports, "binaryCrossEntropyWithLogits",
                        {"input", "target", "weight", "posWeight", "reduction"});
}

}  // namespace rn
