// Losses. Reductions are passed as the strings PyTorch uses: 'none' | 'mean' | 'sum'.
#include <ATen/core/Reduction.h>
#include <ATen/ops/binary_cross_entropy_with_logits.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/mse_loss.h>
#include <ATen/ops/nll_loss_nd.h>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

int64_t ParseReduction(const Args& a, size_t i) {
  const std::string r = a.String(i, "reduction");
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  a.Fail("reduction", "'none', 'mean' or 'sum'", i);
}

// crossEntropy(input, target, weight | null, reduction, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::cross_entropy_loss(a.Tensor(0, "input"), a.Tensor(1, "target"),
                                              a.OptionalTensor(2, "weight"), ParseReduction(a, 3),
                                              a.Int(4, "ignoreIndex"), a.Number(5, "labelSmoothing")));
}

// nllLoss(input, target, weight | null, reduction, ignoreIndex)
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              at::nll_loss_nd(a.Tensor(0, "input"), a.Tensor(1, "target"), a.OptionalTensor(2, "weight"),
                              ParseReduction(a, 3), a.Int(4, "ignoreIndex")));
}

// mseLoss(input, target, reduction)
Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::mse_loss(a.Tensor(0, "input"), a.Tensor(1, "target"), ParseReduction(a, 2)));
}

// binaryCrossEntropyWithLogits(input, target, weight | null, posWeight | null, reduction)
Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::binary_cross_entropy_with_logits(
                           a.Tensor(0, "input"), a.Tensor(1, "target"), a.OptionalTensor(2, "weight"),
                           a.OptionalTensor(3, "posWeight"), ParseReduction(a, 4)));
}

}  // namespace

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "crossEntropy", CrossEntropy);
  Export(env, exports, "nllLoss", NllLoss);
  Export(env, exports, "mseLoss", MseLoss);
  Export(env, exports, "binaryCrossEntropyWithLogits", BceWithLogits);
}

}  // namespace rn
