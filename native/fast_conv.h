// One convolution of the inference fast path (native/fast_pass.h): the batch norm after it
// folded into its weights and bias, and the ReLU and residual add after it done in the same
// pass over the output (oneDNN post-ops where oneDNN is built in, ATen in place otherwise).
// The folded, reordered weights are made once and remade whenever a source tensor changed
// (an optimizer step, loadStateDict, an in-place edit): never stale.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <mutex>
#include <vector>

namespace rn {

// Output buffers of a fast program, reused between calls: a buffer is free again once only the
// pool holds it (the replay dropped it, and no result handed to JavaScript shares it).
class BufferPool {
 public:
  at::Tensor Take(at::IntArrayRef sizes, at::IntArrayRef strides, const at::TensorOptions& options);

 private:
  std::mutex mutex_;
  std::vector<at::Tensor> buffers_;
};

struct ConvSources {
  at::Tensor weight, bias;  // bias may be undefined
  // The batch norm folded in; mean undefined when there is none. weight/bias may be undefined.
  at::Tensor bn_mean, bn_var, bn_weight, bn_bias;
  double bn_eps = 0;
};

struct ConvParams {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups = 1;
  bool relu = false;   // max(0, ·) on the result
  bool sum = false;    // the result is added to a residual tensor (before the ReLU)
  bool pooled = true;  // the output may come from the pool (false for a program output)
};

class FusedConv {
 public:
  FusedConv(ConvSources sources, ConvParams params, std::shared_ptr<BufferPool> pool);
  ~FusedConv();
  // `residual` (defined iff params.sum) is written in place when `residual_owned`: the caller
  // holds its only reference and nothing else shares its storage.
  at::Tensor Run(const at::Tensor& x, at::Tensor residual, bool residual_owned);
  const ConvParams& params() const { return params_; }

 private:
  struct Primitive;
  bool Stale() const;
  void Fold();
  at::Tensor RunAten(const at::Tensor& x, at::Tensor dst_or_residual);

  ConvSources sources_;
  ConvParams params_;
  std::shared_ptr<BufferPool> pool_;
  std::mutex mutex_;  // the sync path and the executor may run one program at once
  std::vector<std::pair<int64_t, const void*>> seen_;  // version and data of each source at Fold
  at::Tensor weight_, bias_;                           // folded, in PyTorch's layout
  std::unique_ptr<Primitive> primitive_;               // oneDNN, for one input/output layout
};

}  // namespace rn
