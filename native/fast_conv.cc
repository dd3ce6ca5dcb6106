#include "fast_conv.h"

#include <ATen/ops/conv2d.h>
#include <ATen/ops/empty_strided.h>
#include <ATen/ops/zeros.h>

#include <cstdio>
#include <cstdlib>

#ifdef RESNET_NATIVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace rn {
namespace {

std::vector<int64_t> ChannelsLastStrides(at::IntArrayRef s) {
  return {s[1] * s[2] * s[3], 1, s[3] * s[1], s[1]};
}

bool Free(const at::Tensor& b) { return b.use_count() == 1 && b.storage().use_count() == 1; }

}  // namespace

at::Tensor BufferPool::Take(at::IntArrayRef sizes, at::IntArrayRef strides,
                            const at::TensorOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const at::Tensor& b : buffers_) {
    if (Free(b) && b.sizes().equals(sizes) && b.strides().equals(strides) && b.dtype() == options.dtype())
      return b;
  }
  buffers_.push_back(at::empty_strided(sizes, strides, options));
  return buffers_.back();
}

#ifdef RESNET_NATIVE_DNNL
namespace {
dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
dnnl::memory::dims Dims(at::IntArrayRef a) { return dnnl::memory::dims(a.begin(), a.end()); }
}  // namespace

// A oneDNN convolution for one input and one output layout, its weights reordered into the
// format the primitive chose.
struct FusedConv::Primitive {
  std::vector<int64_t> src_strides, dst_strides;
  dnnl::memory::desc src_md, dst_md, bias_md;
  dnnl::convolution_forward conv;
  dnnl::memory weights;
};
#else
struct FusedConv::Primitive {};
#endif

FusedConv::FusedConv(ConvSources sources, ConvParams params, std::shared_ptr<BufferPool> pool)
    : sources_(std::move(sources)), params_(std::move(params)), pool_(std::move(pool)) {}
FusedConv::~FusedConv() = default;

bool FusedConv::Stale() const {
  const at::Tensor* all[] = {&sources_.weight, &sources_.bias,      &sources_.bn_mean,
                             &sources_.bn_var, &sources_.bn_weight, &sources_.bn_bias};
  if (seen_.empty()) return true;
  size_t i = 0;
  for (const at::Tensor* t : all) {
    if (!t->defined()) continue;
    if (seen_[i].first != t->_version() || seen_[i].second != t->data_ptr()) return true;
    ++i;
  }
  return false;
}

// W' = W·γ/√(σ²+ε) per output channel, b' = β + (b − μ)·γ/√(σ²+ε), computed in float64.
void FusedConv::Fold() {
  const ConvSources& s = sources_;
  const int64_t out = s.weight.size(0);
  at::Tensor w = s.weight.to(at::kDouble);
  at::Tensor b = s.bias.defined() ? s.bias.to(at::kDouble) : at::zeros({out}, w.options());
  if (s.bn_mean.defined()) {
    at::Tensor scale = s.bn_var.to(at::kDouble).add(s.bn_eps).rsqrt();
    if (s.bn_weight.defined()) scale = scale.mul(s.bn_weight.to(at::kDouble));
    w = w.mul(scale.reshape({out, 1, 1, 1}));
    b = b.sub(s.bn_mean.to(at::kDouble)).mul(scale);
    if (s.bn_bias.defined()) b = b.add(s.bn_bias.to(at::kDouble));
  }
  weight_ = w.to(s.weight.scalar_type()).contiguous();
  bias_ = b.to(s.weight.scalar_type()).contiguous();
  seen_.clear();
  for (const at::Tensor* t : {&s.weight, &s.bias, &s.bn_mean, &s.bn_var, &s.bn_weight, &s.bn_bias})
    if (t->defined()) seen_.emplace_back(t->_version(), t->data_ptr());
}

at::Tensor FusedConv::RunAten(const at::Tensor& x, at::Tensor residual) {
  if (!weight_.defined()) Fold();
  at::Tensor y =
      at::conv2d(x, weight_, bias_, params_.stride, params_.padding, params_.dilation, params_.groups);
  if (params_.sum) y.add_(residual);
  if (params_.relu) y.relu_();
  return y;
}

at::Tensor FusedConv::Run(const at::Tensor& input, at::Tensor residual, bool residual_owned) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Stale()) {
    Fold();
    primitive_.reset();
  }
#ifdef RESNET_NATIVE_DNNL
  if (input.scalar_type() != at::kFloat || !input.device().is_cpu() || input.dim() != 4)
    return RunAten(input, residual);
  // Channels-last end to end: oneDNN's fast kernels take NHWC in and out (for NCHW in and
  // NHWC out, as the network's first convolution would have it, only the reference one).
  const at::Tensor x = input.contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor& w = sources_.weight;  // its shape: weight_ may have been dropped
  const int64_t n = x.size(0), out = w.size(0), kh = w.size(2), kw = w.size(3);
  const auto& st = params_.stride;
  const auto& pd = params_.padding;
  const auto& dl = params_.dilation;
  const int64_t oh = (x.size(2) + 2 * pd[0] - dl[0] * (kh - 1) - 1) / st[0] + 1;
  const int64_t ow = (x.size(3) + 2 * pd[1] - dl[1] * (kw - 1) - 1) / st[1] + 1;
  // PyTorch floors the output size; oneDNN wants the right padding that yields it.
  const int64_t pr_h = (oh - 1) * st[0] + dl[0] * (kh - 1) + 1 - x.size(2) - pd[0];
  const int64_t pr_w = (ow - 1) * st[1] + dl[1] * (kw - 1) + 1 - x.size(3) - pd[1];
  if (pr_h < 0 || pr_w < 0) return RunAten(x, residual);
  const std::vector<int64_t> out_sizes{n, out, oh, ow};
  at::Tensor dst;
  if (params_.sum) {
    if (!residual.sizes().equals(out_sizes)) return RunAten(x, residual);
    const bool plain_residual =
        residual.is_contiguous() || residual.is_contiguous(at::MemoryFormat::ChannelsLast);
    if (residual_owned && plain_residual) {
      dst = std::move(residual);
    } else {
      dst = pool_->Take(out_sizes, ChannelsLastStrides(out_sizes), x.options());
      dst.copy_(residual);
    }
  } else if (params_.pooled) {
    dst = pool_->Take(out_sizes, ChannelsLastStrides(out_sizes), x.options());
  } else {
    dst = at::empty_strided(out_sizes, ChannelsLastStrides(out_sizes), x.options());
  }
  if (primitive_ == nullptr || !x.strides().equals(primitive_->src_strides) ||
      !dst.strides().equals(primitive_->dst_strides)) {
    using dnnl::memory;
    if (!weight_.defined()) Fold();  // dropped after the last reorder (see below)
    auto p = std::make_unique<Primitive>();
    p->src_strides = x.strides().vec();
    p->dst_strides = dst.strides().vec();
    const int64_t g = params_.groups;
    memory::dims wdims = g == 1 ? Dims(w.sizes()) : memory::dims{g, out / g, w.size(1), kh, kw};
    p->src_md = memory::desc(Dims(x.sizes()), memory::data_type::f32, Dims(x.strides()));
    p->dst_md = memory::desc(Dims(dst.sizes()), memory::data_type::f32, Dims(dst.strides()));
    p->bias_md = memory::desc({out}, memory::data_type::f32, memory::format_tag::x);
    memory::desc w_any(wdims, memory::data_type::f32, memory::format_tag::any);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                      p->src_md, w_any, p->bias_md, p->dst_md, Dims(st),
                                      {dl[0] - 1, dl[1] - 1}, Dims(pd), {pr_h, pr_w});
    dnnl::post_ops ops;
    if (params_.sum) ops.append_sum(1.0f);
    if (params_.relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::convolution_forward::primitive_desc pdesc(d, attr, Engine());
    if (std::getenv("RESNET_NATIVE_FAST_DEBUG") != nullptr)
      std::fprintf(stderr, "fast conv %s in %s out %s\n", pdesc.impl_info_str(), c10::str(x.sizes()).c_str(),
                   c10::str(dst.sizes()).c_str());
    p->conv = dnnl::convolution_forward(pdesc);
    memory user(memory::desc(wdims, memory::data_type::f32,
                             g == 1 ? memory::format_tag::oihw : memory::format_tag::goihw),
                Engine(), weight_.data_ptr());
    p->weights = memory(pdesc.weights_desc(), Engine());
    dnnl::stream s(Engine());
    dnnl::reorder(user, p->weights).execute(s, user, p->weights);
    s.wait();
    primitive_ = std::move(p);
    // The primitive holds the weights in its own format: a second folded copy of every
    // weight would only add to the process's peak memory.
    weight_.reset();
  }
  dnnl::stream s(Engine());
  dnnl::memory src(primitive_->src_md, Engine(), x.data_ptr());
  dnnl::memory bias(primitive_->bias_md, Engine(), bias_.data_ptr());
  dnnl::memory out_mem(primitive_->dst_md, Engine(), dst.data_ptr());
  primitive_->conv.execute(s, {{DNNL_ARG_SRC, src},
                               {DNNL_ARG_WEIGHTS, primitive_->weights},
                               {DNNL_ARG_BIAS, bias},
                               {DNNL_ARG_DST, out_mem}});
  s.wait();
  return dst;
#else
  (void)residual_owned;
  return RunAten(input, residual);
#endif
}

}  // namespace rn
