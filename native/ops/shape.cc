// Shape, layout, indexing, joining, copying and conversion.
#include <ATen/ops/cat.h>
#include <ATen/ops/flip.h>
#include <ATen/ops/gather.h>
#include <ATen/ops/index.h>
#include <ATen/ops/index_select.h>
#include <ATen/ops/masked_select.h>
#include <ATen/ops/nonzero.h>
#include <ATen/ops/one_hot.h>
#include <ATen/ops/pad.h>
#include <ATen/ops/scatter.h>
#include <ATen/ops/stack.h>

#include "op.h"
#include "registry.h"

namespace rn {

// split's sizes: one chunk size (a number) or the size of each part (an array).
struct SplitSizes {
  bool single = true;
  int64_t size = 0;
  std::vector<int64_t> sizes;
};
template <>
struct Reader<SplitSizes> {
  static SplitSizes Read(const Args& a, size_t i, const char*) {
    if (a[i].IsNumber()) return {true, a.Int(i, "splitSize"), {}};
    return {false, 0, a.IntList(i, "splitSizes")};
  }
};

// 'contiguous' | 'channels_last'
template <>
struct Reader<at::MemoryFormat> {
  static at::MemoryFormat Read(const Args& a, size_t i, const char* name) {
    const std::string format = a.String(i, name);
    if (format == "channels_last") return at::MemoryFormat::ChannelsLast;
    if (format != "contiguous") a.Fail(name, "'contiguous' or 'channels_last'", i);
    return at::MemoryFormat::Contiguous;
  }
};

namespace {

using Ints = std::vector<int64_t>;

at::Tensor Reshape(const at::Tensor& t, const Ints& shape) { return t.reshape(shape); }
at::Tensor View(const at::Tensor& t, const Ints& shape) { return t.view(shape); }
at::Tensor Flatten(const at::Tensor& t, int64_t start, int64_t end) { return t.flatten(start, end); }
at::Tensor Permute(const at::Tensor& t, const Ints& dims) { return t.permute(dims); }
at::Tensor Transpose(const at::Tensor& t, int64_t d0, int64_t d1) { return t.transpose(d0, d1); }
at::Tensor Contiguous(const at::Tensor& t) { return t.contiguous(); }
at::Tensor Squeeze(const at::Tensor& t, const MaybeInt& dim) {
  return dim.has ? t.squeeze(dim.v) : t.squeeze();
}
at::Tensor Unsqueeze(const at::Tensor& t, int64_t dim) { return t.unsqueeze(dim); }
at::Tensor Expand(const at::Tensor& t, const Ints& shape) { return t.expand(shape); }
at::Tensor Narrow(const at::Tensor& t, int64_t dim, int64_t start, int64_t length) {
  return t.narrow(dim, start, length);
}
at::Tensor Select(const at::Tensor& t, int64_t dim, int64_t index) { return t.select(dim, index); }
// slice(input, dim, start | null, end | null, step): null is Python's open end (`x[2:]`).
at::Tensor Slice(const at::Tensor& t, int64_t dim, const MaybeInt& start, const MaybeInt& end, int64_t step) {
  return t.slice(dim, start.has ? c10::optional<int64_t>(start.v) : c10::nullopt,
                 end.has ? c10::optional<int64_t>(end.v) : c10::nullopt, step);
}
at::Tensor T(const at::Tensor& t) { return t.t(); }
at::Tensor IndexSelect(const at::Tensor& t, int64_t dim, const at::Tensor& index) {
  return at::index_select(t, dim, index);
}
at::Tensor Gather(const at::Tensor& t, int64_t dim, const at::Tensor& index) {
  return at::gather(t, dim, index);
}
// The entries where the bool mask is true. Their number, and so the result's shape, depends
// on the values: a replay recomputes it.
at::Tensor MaskedSelect(const at::Tensor& t, const at::Tensor& mask) { return at::masked_select(t, mask); }
// x[indices]: a bool mask over the leading dimensions (the selected entries stacked), or int64
// positions along dimension 0, as PyTorch's advanced indexing.
at::Tensor Index(const at::Tensor& t, const at::Tensor& indices) {
  c10::List<c10::optional<at::Tensor>> list;
  list.push_back(indices);
  return at::index(t, list);
}
at::Tensor Nonzero(const at::Tensor& t) { return at::nonzero(t); }
// scatter(input, dim, index, src): src a tensor or a number, as torch.scatter.
at::Tensor Scatter(const at::Tensor& t, int64_t dim, const at::Tensor& index, const TensorOrScalar& src) {
  return src.t.defined() ? at::scatter(t, dim, index, src.t) : at::scatter(t, dim, index, src.s);
}
InPlace ScatterInplace(at::Tensor t, int64_t dim, const at::Tensor& index, const TensorOrScalar& src) {
  if (src.t.defined())
    t.scatter_(dim, index, src.t);
  else
    t.scatter_(dim, index, src.s);
  return {};
}
at::Tensor Flip(const at::Tensor& t, const Ints& dims) { return at::flip(t, dims); }
at::Tensor Repeat(const at::Tensor& t, const Ints& repeats) { return t.repeat(repeats); }
at::Tensor Clone(const at::Tensor& t) { return t.clone(); }
at::Tensor Detach(const at::Tensor& t) { return t.detach(); }
at::Tensor ToDType(const at::Tensor& t, at::ScalarType dtype) { return t.to(dtype); }
// toDevice(input, device, nonBlocking): nonBlocking lets a copy from pinned host memory to a GPU
// overlap with work already queued; lib/tensor.ts passes it only for copies onto a GPU, so a
// tensor copied back to the CPU is always complete when JavaScript can read it.
at::Tensor ToDevice(const at::Tensor& t, at::Device device, bool non_blocking) {
  return t.to(device, non_blocking);
}
at::Tensor OneHot(const at::Tensor& t, int64_t classes) { return at::one_hot(t, classes); }
// pads as F.pad, last dimension first.
at::Tensor Pad(const at::Tensor& t, const Ints& pad, const std::string& mode, double value) {
  return at::pad(t, pad, mode, value);
}

// The layout oneDNN convolutions prefer on CPU is channels-last (NHWC); PyTorch's
// `x.contiguous(memory_format=...)`.
at::Tensor ContiguousAs(const at::Tensor& t, at::MemoryFormat format) {
  if (format == at::MemoryFormat::ChannelsLast && t.dim() != 4)
    Fail(ErrorKind::Shape,
         "channels_last needs a 4-D tensor but this one has " + std::to_string(t.dim()) + " dimensions");
  return t.contiguous(format);
}

std::vector<int64_t> Strides(const at::Tensor& t) { return t.strides().vec(); }

bool IsChannelsLast(const at::Tensor& t) {
  return t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast) && !t.is_contiguous();
}

// Replaces the tensor's data while keeping the tensor (and so its identity for optimizers and
// modules), PyTorch's `param.data = source`.
InPlace SetData(at::Tensor t, const at::Tensor& source) {
  t.set_data(source);
  return {};
}

at::Tensor Cat(const std::vector<at::Tensor>& ts, int64_t dim) { return at::cat(ts, dim); }
at::Tensor Stack(const std::vector<at::Tensor>& ts, int64_t dim) { return at::stack(ts, dim); }
std::vector<at::Tensor> Chunk(const at::Tensor& t, int64_t chunks, int64_t dim) {
  return t.chunk(chunks, dim);
}
std::vector<at::Tensor> Split(const at::Tensor& t, const SplitSizes& s, int64_t dim) {
  return s.single ? t.split(s.size, dim) : t.split_with_sizes(s.sizes, dim);
}

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) {
  Define<Reshape>(env, exports, "reshape", {"input", "shape"});
  Define<View>(env, exports, "view", {"input", "shape"});
  Define<Flatten>(env, exports, "flatten", {"input", "startDim", "endDim"});
  Define<Permute>(env, exports, "permute", {"input", "dims"});
  Define<Transpose>(env, exports, "transpose", {"input", "dim0", "dim1"});
  Define<Contiguous>(env, exports, "contiguous", {"input"});
  Define<Squeeze>(env, exports, "squeeze", {"input", "dim"});
  Define<Unsqueeze>(env, exports, "unsqueeze", {"input", "dim"});
  Define<Expand>(env, exports, "expand", {"input", "shape"});
  Define<Narrow>(env, exports, "narrow", {"input", "dim", "start", "length"});
  Define<Select>(env, exports, "select", {"input", "dim", "index"});
  Define<Slice>(env, exports, "slice", {"input", "dim", "start", "end", "step"});
  Define<IndexSelect>(env, exports, "indexSelect", {"input", "dim", "index"});
  Define<Gather>(env, exports, "gather", {"input", "dim", "index"});
  Define<T>(env, exports, "t", {"input"});
  Define<MaskedSelect>(env, exports, "maskedSelect", {"input", "mask"});
  // PyTorch's advanced indexing accepts CPU indices for a CUDA tensor.
  Define<Index>(env, exports, "index", {"input", "indices"}, Policy::Record, Devices::Any);
  Define<Nonzero>(env, exports, "nonzero", {"input"});
  Define<Scatter>(env, exports, "scatter", {"input", "dim", "index", "src"});
  Define<ScatterInplace>(env, exports, "scatter_", {"input", "dim", "index", "src"});
  Define<Flip>(env, exports, "flip", {"input", "dims"});
  Define<Repeat>(env, exports, "repeat", {"input", "repeats"});
  Define<Clone>(env, exports, "clone", {"input"});
  Define<Detach>(env, exports, "detach", {"input"});
  Define<ToDType>(env, exports, "toDType", {"input", "dtype"});
  Define<ToDevice>(env, exports, "toDevice", {"input", "device", "nonBlocking"});
  Define<OneHot>(env, exports, "oneHot", {"input", "numClasses"});
  Define<Pad>(env, exports, "pad", {"input", "pad", "mode", "value"});
  Define<Cat>(env, exports, "cat", {"tensors", "dim"});
  Define<Stack>(env, exports, "stack", {"tensors", "dim"});
  Define<Chunk>(env, exports, "chunk", {"input", "chunks", "dim"});
  Define<Split>(env, exports, "split", {"input", "sizes", "dim"});
  Define<ContiguousAs>(env, exports, "contiguousAs", {"input", "memoryFormat"});
  Define<IsChannelsLast>(env, exports, "isChannelsLast", {"input"}, Policy::Query);
  Define<Strides>(env, exports, "strides", {"input"}, Policy::Query);
  // `param.data = source` may change the device: module.to() moves parameters this way.
  Define<SetData>(env, exports, "setData", {"tensor", "source"}, Policy::Record, Devices::Any);
}

}  // namespace rn
