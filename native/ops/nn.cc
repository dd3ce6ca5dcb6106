// The layers of a ResNet and their relatives: convolution, batch norm, pooling, linear,
// softmax, dropout, resizing.
#include <ATen/ops/_upsample_bilinear2d_aa.h>
#include <ATen/ops/adaptive_avg_pool2d.h>
#include <ATen/ops/adaptive_max_pool2d.h>
#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/batch_norm.h>
#include <ATen/ops/bmm.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/dropout.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/log_softmax.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/max_pool2d.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/upsample_bilinear2d.h>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

// conv2d(input, weight, bias | null, stride, padding, dilation, groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::conv2d(a.Tensor(0, "input"), a.Tensor(1, "weight"), a.OptionalTensor(2, "bias"),
                                  a.IntList(3, "stride"), a.IntList(4, "padding"), a.IntList(5, "dilation"),
                                  a.Int(6, "groups")));
}

// batchNorm(input, runningMean | null, runningVar | null, weight | null, bias | null,
//           training, momentum, eps); training mode updates the running stats in place.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Args a(info);
  // cudnn_enabled=true lets libtorch pick cuDNN on GPU tensors, as PyTorch does.
  return Wrap(a.env(),
              at::batch_norm(a.Tensor(0, "input"), a.OptionalTensor(3, "weight"), a.OptionalTensor(4, "bias"),
                             a.OptionalTensor(1, "runningMean"), a.OptionalTensor(2, "runningVar"),
                             a.Bool(5, "training"), a.Number(6, "momentum"), a.Number(7, "eps"), true));
}

// maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              at::max_pool2d(a.Tensor(0, "input"), a.IntList(1, "kernelSize"), a.IntList(2, "stride"),
                             a.IntList(3, "padding"), a.IntList(4, "dilation"), a.Bool(5, "ceilMode")));
}

// avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              at::avg_pool2d(a.Tensor(0, "input"), a.IntList(1, "kernelSize"), a.IntList(2, "stride"),
                             a.IntList(3, "padding"), a.Bool(4, "ceilMode"), a.Bool(5, "countIncludePad")));
}

Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::adaptive_avg_pool2d(a.Tensor(0, "input"), a.IntList(1, "outputSize")));
}

Napi::Value AdaptiveMaxPool2d(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              std::get<0>(at::adaptive_max_pool2d(a.Tensor(0, "input"), a.IntList(1, "outputSize"))));
}

Napi::Value Linear(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::linear(a.Tensor(0, "input"), a.Tensor(1, "weight"), a.OptionalTensor(2, "bias")));
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::matmul(a.Tensor(0, "input"), a.Tensor(1, "other")));
}

Napi::Value Bmm(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::bmm(a.Tensor(0, "input"), a.Tensor(1, "other")));
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::softmax(a.Tensor(0, "input"), a.Int(1, "dim")));
}

Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::log_softmax(a.Tensor(0, "input"), a.Int(1, "dim")));
}

// dropout(input, p, training)
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::dropout(a.Tensor(0, "input"), a.Number(1, "p"), a.Bool(2, "training")));
}

// resizeBilinear(input, [h, w], alignCorners, antialias): torchvision's resize on tensors.
Napi::Value ResizeBilinear(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  const auto size = a.IntList(1, "size");
  const bool align = a.Bool(2, "alignCorners");
  if (a.Bool(3, "antialias")) return Wrap(a.env(), at::_upsample_bilinear2d_aa(t, size, align));
  return Wrap(a.env(), at::upsample_bilinear2d(t, size, align));
}

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, NativeFn> fns[] = {
      {"conv2d", Conv2d},
      {"batchNorm", BatchNorm},
      {"maxPool2d", MaxPool2d},
      {"avgPool2d", AvgPool2d},
      {"adaptiveAvgPool2d", AdaptiveAvgPool2d},
      {"adaptiveMaxPool2d", AdaptiveMaxPool2d},
      {"linear", Linear},
      {"matmul", Matmul},
      {"bmm", Bmm},
      {"softmax", Softmax},
      {"logSoftmax", LogSoftmax},
      {"dropout", Dropout},
      {"resizeBilinear", ResizeBilinear},
  };
  for (const auto& [name, fn] : fns) Export(env, exports, name, fn);
}

}  // namespace rn
