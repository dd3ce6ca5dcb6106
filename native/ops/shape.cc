// Shape, layout, indexing, joining, copying and conversion.
#include <ATen/ops/cat.h>
#include <ATen/ops/flip.h>
#include <ATen/ops/gather.h>
#include <ATen/ops/index_select.h>
#include <ATen/ops/one_hot.h>
#include <ATen/ops/pad.h>
#include <ATen/ops/stack.h>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

Napi::Value List(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array out = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out.Set(i, Wrap(env, ts[i]));
  return out;
}

#define RN_OP(fn, expr)                            \
  Napi::Value fn(const Napi::CallbackInfo& info) { \
    Args a(info);                                  \
    const at::Tensor& t = a.Tensor(0, "input");    \
    return Wrap(a.env(), expr);                    \
  }

RN_OP(Reshape, t.reshape(a.IntList(1, "shape")))
RN_OP(View, t.view(a.IntList(1, "shape")))
RN_OP(Flatten, t.flatten(a.Int(1, "startDim"), a.Int(2, "endDim")))
RN_OP(Permute, t.permute(a.IntList(1, "dims")))
RN_OP(Transpose, t.transpose(a.Int(1, "dim0"), a.Int(2, "dim1")))
RN_OP(Contiguous, t.contiguous())
RN_OP(Squeeze, a.IsNullish(1) ? t.squeeze() : t.squeeze(a.Int(1, "dim")))
RN_OP(Unsqueeze, t.unsqueeze(a.Int(1, "dim")))
RN_OP(Expand, t.expand(a.IntList(1, "shape")))
RN_OP(Narrow, t.narrow(a.Int(1, "dim"), a.Int(2, "start"), a.Int(3, "length")))
RN_OP(Select, t.select(a.Int(1, "dim"), a.Int(2, "index")))
RN_OP(Slice, t.slice(a.Int(1, "dim"), a.Int(2, "start"), a.Int(3, "end"), a.Int(4, "step")))
RN_OP(IndexSelect, at::index_select(t, a.Int(1, "dim"), a.Tensor(2, "index")))
RN_OP(Gather, at::gather(t, a.Int(1, "dim"), a.Tensor(2, "index")))
RN_OP(Flip, at::flip(t, a.IntList(1, "dims")))
RN_OP(Repeat, t.repeat(a.IntList(1, "repeats")))
RN_OP(Clone, t.clone())
RN_OP(Detach, t.detach())
RN_OP(ToDType, t.to(a.DType(1, "dtype")))
RN_OP(ToDevice, t.to(a.Device(1, "device")))
RN_OP(OneHot, at::one_hot(t, a.Int(1, "numClasses")))
// pad(input, pads, mode, value): pads as F.pad, last dimension first.
RN_OP(Pad, at::pad(t, a.IntList(1, "pad"), a.String(2, "mode"), a.Number(3, "value")))
#undef RN_OP

// contiguousAs(input, 'contiguous' | 'channels_last'): the layout oneDNN convolutions prefer
// on CPU is channels-last (NHWC); PyTorch's `x.contiguous(memory_format=...)`.
Napi::Value ContiguousAs(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  const std::string format = a.String(1, "memoryFormat");
  if (format == "channels_last") {
    if (t.dim() != 4)
      Throw(a.env(), ErrorKind::Shape,
            "channels_last needs a 4-D tensor but this one has " + std::to_string(t.dim()) + " dimensions");
    return Wrap(a.env(), t.contiguous(at::MemoryFormat::ChannelsLast));
  }
  if (format == "contiguous") return Wrap(a.env(), t.contiguous());
  a.Fail("memoryFormat", "'contiguous' or 'channels_last'", 1);
}

Napi::Value IsChannelsLast(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  return Napi::Boolean::New(
      a.env(), t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast) && !t.is_contiguous());
}

// setData(tensor, source): replaces the tensor's data while keeping the tensor (and so its
// identity for optimizers and modules), PyTorch's `param.data = source`.
Napi::Value SetData(const Napi::CallbackInfo& info) {
  Args a(info);
  at::Tensor t = a.Tensor(0, "tensor");
  t.set_data(a.Tensor(1, "source"));
  return a.env().Undefined();
}

Napi::Value Cat(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::cat(a.TensorList(0, "tensors"), a.Int(1, "dim")));
}

Napi::Value Stack(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::stack(a.TensorList(0, "tensors"), a.Int(1, "dim")));
}

Napi::Value Chunk(const Napi::CallbackInfo& info) {
  Args a(info);
  return List(a.env(), a.Tensor(0, "input").chunk(a.Int(1, "chunks"), a.Int(2, "dim")));
}

Napi::Value Split(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a[1].IsNumber()) return List(a.env(), t.split(a.Int(1, "splitSize"), a.Int(2, "dim")));
  return List(a.env(), t.split_with_sizes(a.IntList(1, "splitSizes"), a.Int(2, "dim")));
}

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, NativeFn> fns[] = {
      {"reshape", Reshape},
      {"view", View},
      {"flatten", Flatten},
      {"permute", Permute},
      {"transpose", Transpose},
      {"contiguous", Contiguous},
      {"squeeze", Squeeze},
      {"unsqueeze", Unsqueeze},
      {"expand", Expand},
      {"narrow", Narrow},
      {"select", Select},
      {"slice", Slice},
      {"indexSelect", IndexSelect},
      {"gather", Gather},
      {"flip", Flip},
      {"repeat", Repeat},
      {"clone", Clone},
      {"detach", Detach},
      {"toDType", ToDType},
      {"toDevice", ToDevice},
      {"oneHot", OneHot},
      {"pad", Pad},
      {"cat", Cat},
      {"stack", Stack},
      {"chunk", Chunk},
      {"split", Split},
      {"contiguousAs", ContiguousAs},
      {"isChannelsLast", IsChannelsLast},
      {"setData", SetData},
  };
  for (const auto& [name, fn] : fns) Export(env, exports, name, fn);
}

}  // namespace rn
