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
#include <ATen/ops/grid_sampler.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/log_softmax.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/max_pool2d.h>
#include <ATen/ops/mm.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/upsample_bilinear2d.h>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

at::Tensor Conv2d(const at::Tensor& x, const at::Tensor& w, const MaybeTensor& b,
                  const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                  const std::vector<int64_t>& dilation, int64_t groups) {
  return at::conv2d(x, w, b.t, stride, padding, dilation, groups);
}

// Training mode updates the running statistics in place. cudnn_enabled=true lets libtorch
// pick cuDNN on GPU tensors, as PyTorch does.
at::Tensor BatchNorm(const at::Tensor& x, const MaybeTensor& mean, const MaybeTensor& var,
                     const MaybeTensor& weight, const MaybeTensor& bias, bool training, double momentum,
                     double eps) {
  return at::batch_norm(x, weight.t, bias.t, mean.t, var.t, training, momentum, eps, true);
}

at::Tensor MaxPool2d(const at::Tensor& x, const std::vector<int64_t>& k, const std::vector<int64_t>& s,
                     const std::vector<int64_t>& p, const std::vector<int64_t>& d, bool ceil) {
  return at::max_pool2d(x, k, s, p, d, ceil);
}

at::Tensor AvgPool2d(const at::Tensor& x, const std::vector<int64_t>& k, const std::vector<int64_t>& s,
                     const std::vector<int64_t>& p, bool ceil, bool count_include_pad) {
  return at::avg_pool2d(x, k, s, p, ceil, count_include_pad);
}

at::Tensor AdaptiveAvgPool2d(const at::Tensor& x, const std::vector<int64_t>& size) {
  return at::adaptive_avg_pool2d(x, size);
}

at::Tensor AdaptiveMaxPool2d(const at::Tensor& x, const std::vector<int64_t>& size) {
  return std::get<0>(at::adaptive_max_pool2d(x, size));
}

at::Tensor Linear(const at::Tensor& x, const at::Tensor& w, const MaybeTensor& b) {
  return at::linear(x, w, b.t);
}
at::Tensor Matmul(const at::Tensor& a, const at::Tensor& b) { return at::matmul(a, b); }
at::Tensor Bmm(const at::Tensor& a, const at::Tensor& b) { return at::bmm(a, b); }
at::Tensor Mm(const at::Tensor& a, const at::Tensor& b) { return at::mm(a, b); }
at::Tensor Softmax(const at::Tensor& x, int64_t dim) { return at::softmax(x, dim); }
at::Tensor LogSoftmax(const at::Tensor& x, int64_t dim) { return at::log_softmax(x, dim); }
at::Tensor Dropout(const at::Tensor& x, double p, bool training) { return at::dropout(x, p, training); }

// torchvision's resize on tensors.
at::Tensor ResizeBilinear(const at::Tensor& x, const std::vector<int64_t>& size, bool align, bool antialias) {
  return antialias ? at::_upsample_bilinear2d_aa(x, size, align) : at::upsample_bilinear2d(x, size, align);
}

// F.grid_sample's kernel: modes as PyTorch numbers them (interpolation 0 bilinear, 1 nearest,
// 2 bicubic; padding 0 zeros, 1 border, 2 reflection), mapped from names on the TypeScript side.
at::Tensor GridSample(const at::Tensor& x, const at::Tensor& grid, int64_t mode, int64_t padding,
                      bool align) {
  return at::grid_sampler(x, grid, mode, padding, align);
}

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object exports) {
  Define<Conv2d>(env, exports, "conv2d",
                 {"input", "weight", "bias", "stride", "padding", "dilation", "groups"});
  Define<BatchNorm>(env, exports, "batchNorm",
                    {"input", "runningMean", "runningVar", "weight", "bias", "training", "momentum", "eps"});
  Define<MaxPool2d>(env, exports, "maxPool2d",
                    {"input", "kernelSize", "stride", "padding", "dilation", "ceilMode"});
  Define<AvgPool2d>(env, exports, "avgPool2d",
                    {"input", "kernelSize", "stride", "padding", "ceilMode", "countIncludePad"});
  Define<AdaptiveAvgPool2d>(env, exports, "adaptiveAvgPool2d", {"input", "outputSize"});
  Define<AdaptiveMaxPool2d>(env, exports, "adaptiveMaxPool2d", {"input", "outputSize"});
  Define<Linear>(env, exports, "linear", {"input", "weight", "bias"});
  Define<Matmul>(env, exports, "matmul", {"input", "other"});
  Define<Bmm>(env, exports, "bmm", {"input", "other"});
  Define<Mm>(env, exports, "mm", {"input", "other"});
  Define<Softmax>(env, exports, "softmax", {"input", "dim"});
  Define<LogSoftmax>(env, exports, "logSoftmax", {"input", "dim"});
  Define<Dropout>(env, exports, "dropout", {"input", "p", "training"});
  Define<ResizeBilinear>(env, exports, "resizeBilinear", {"input", "size", "alignCorners", "antialias"});
  Define<GridSample>(env, exports, "gridSample", {"input", "grid", "mode", "paddingMode", "alignCorners"});
}

}  // namespace rn
