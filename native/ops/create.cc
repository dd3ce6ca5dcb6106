// Tensor creation and the copies between TypedArrays and tensors.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/eye.h>
#include <ATen/ops/full.h>
#include <ATen/ops/linspace.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/rand.h>
#include <ATen/ops/randint.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/randperm.h>
#include <ATen/ops/zeros.h>

#include <climits>
#include <cstring>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

// A new CPU tensor of `shape` and `dtype` holding a copy of `length` bytes at `src`, which must
// be exactly the tensor's size (checked before anything is allocated).
at::Tensor CopyIn(const Args& a, const void* src, size_t length, const std::vector<int64_t>& shape,
                  const DTypeInfo* dtype) {
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) Throw(a.env(), ErrorKind::Shape, "shape must not have negative sizes");
    if (d != 0 && numel > INT64_MAX / d) Throw(a.env(), ErrorKind::Shape, "shape has too many elements");
    numel *= d;
  }
  const size_t bytes = static_cast<size_t>(numel) * dtype->element_size;
  if (length != bytes) {
    Throw(a.env(), ErrorKind::Shape,
          "data has " + std::to_string(length / dtype->element_size) + " elements of " + dtype->name +
              " but shape needs " + std::to_string(numel));
  }
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype->type));
  if (bytes > 0) std::memcpy(t.data_ptr(), src, bytes);
  return t;
}

// fromTypedArray(array, shape, dtype): copies the array's elements into a new CPU tensor.
Napi::Value FromTypedArray(const Napi::CallbackInfo& info) {
  Args a(info);
  if (!a[0].IsTypedArray()) a.Fail("data", "a TypedArray", 0);
  auto array = a[0].As<Napi::TypedArray>();
  const DTypeInfo* dtype = FindDType(a.DType(2, "dtype"));
  if (array.TypedArrayType() != dtype->array) {
    Throw(a.env(), ErrorKind::DType, std::string("TypedArray does not match dtype ") + dtype->name);
  }
  const auto* src = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  return Wrap(a.env(), CopyIn(a, src, array.ByteLength(), a.IntList(1, "shape"), dtype));
}

// fromBytes(uint8Array, shape, dtype): raw little-endian bytes (any alignment) into a new
// CPU tensor; weights files hand over views into their buffers.
Napi::Value FromBytes(const Napi::CallbackInfo& info) {
  Args a(info);
  if (!a[0].IsTypedArray() || a[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    a.Fail("bytes", "a Uint8Array", 0);
  }
  auto array = a[0].As<Napi::Uint8Array>();
  const DTypeInfo* dtype = FindDType(a.DType(2, "dtype"));
  return Wrap(a.env(), CopyIn(a, array.Data(), array.ByteLength(), a.IntList(1, "shape"), dtype));
}

using Ints = std::vector<int64_t>;
at::TensorOptions Of(at::ScalarType dtype, at::Device device) {
  return at::TensorOptions().dtype(dtype).device(device);
}

// Creation ops take (..., dtype, device) last. A capture records them: a replay creates (or,
// for the random ones, draws) its tensor anew, as the eager code would.
at::Tensor Zeros(const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::zeros(shape, Of(dtype, device));
}
at::Tensor Ones(const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::ones(shape, Of(dtype, device));
}
at::Tensor Empty(const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::empty(shape, Of(dtype, device));
}
at::Tensor Full(const Ints& shape, const at::Scalar& value, at::ScalarType dtype, at::Device device) {
  return at::full(shape, value, Of(dtype, device));
}
at::Tensor Randn(const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::randn(shape, Of(dtype, device));
}
at::Tensor Rand(const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::rand(shape, Of(dtype, device));
}
at::Tensor Randint(int64_t low, int64_t high, const Ints& shape, at::ScalarType dtype, at::Device device) {
  return at::randint(low, high, shape, Of(dtype, device));
}
at::Tensor Randperm(int64_t n, at::ScalarType dtype, at::Device device) {
  return at::randperm(n, Of(dtype, device));
}
// randperm from a generator of its own seeded with `seed` (torch.Generator().manual_seed(seed)),
// leaving the global one untouched: DistributedSampler's epoch order, as PyTorch draws it.
at::Tensor RandpermSeeded(int64_t n, int64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  return at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
}
at::Tensor Arange(const at::Scalar& start, const at::Scalar& end, const at::Scalar& step,
                  at::ScalarType dtype, at::Device device) {
  return at::arange(start, end, step, Of(dtype, device));
}
at::Tensor Linspace(const at::Scalar& start, const at::Scalar& end, int64_t steps, at::ScalarType dtype,
                    at::Device device) {
  return at::linspace(start, end, steps, Of(dtype, device));
}
at::Tensor Eye(int64_t n, int64_t m, at::ScalarType dtype, at::Device device) {
  return at::eye(n, m, Of(dtype, device));
}

}  // namespace

void RegisterCreate(Napi::Env env, Napi::Object exports) {
  // Tensors made from JavaScript data are not recorded: a capture holds them as constants.
  Export(env, exports, "fromTypedArray", FromTypedArray, Policy::Query);
  Export(env, exports, "fromBytes", FromBytes, Policy::Query);
  Define<Zeros>(env, exports, "zeros", {"shape", "dtype", "device"});
  Define<Ones>(env, exports, "ones", {"shape", "dtype", "device"});
  Define<Empty>(env, exports, "empty", {"shape", "dtype", "device"});
  Define<Full>(env, exports, "full", {"shape", "fillValue", "dtype", "device"});
  Define<Randn>(env, exports, "randn", {"shape", "dtype", "device"});
  Define<Rand>(env, exports, "rand", {"shape", "dtype", "device"});
  Define<Randint>(env, exports, "randint", {"low", "high", "shape", "dtype", "device"});
  Define<Randperm>(env, exports, "randperm", {"n", "dtype", "device"});
  Define<RandpermSeeded>(env, exports, "randpermSeeded", {"n", "seed"}, Policy::Refuse);
  Define<Arange>(env, exports, "arange", {"start", "end", "step", "dtype", "device"});
  Define<Linspace>(env, exports, "linspace", {"start", "end", "steps", "dtype", "device"});
  Define<Eye>(env, exports, "eye", {"n", "m", "dtype", "device"});
}

}  // namespace rn
