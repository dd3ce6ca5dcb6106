// Tensor creation and the copies between TypedArrays and tensors.
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

#include "args.h"
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

Napi::Value ZerosLike(const Napi::CallbackInfo& info, bool ones) {
  Args a(info);
  const auto shape = a.IntList(0, "shape");
  return Wrap(a.env(), ones ? at::ones(shape, a.Options(1)) : at::zeros(shape, a.Options(1)));
}
Napi::Value Zeros(const Napi::CallbackInfo& info) { return ZerosLike(info, false); }
Napi::Value Ones(const Napi::CallbackInfo& info) { return ZerosLike(info, true); }

Napi::Value Empty(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::empty(a.IntList(0, "shape"), a.Options(1)));
}

Napi::Value Full(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::full(a.IntList(0, "shape"), a.Scalar(1, "fillValue"), a.Options(2)));
}

Napi::Value Randn(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::randn(a.IntList(0, "shape"), a.Options(1)));
}

Napi::Value Rand(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::rand(a.IntList(0, "shape"), a.Options(1)));
}

// randint(low, high, shape, dtype, device)
Napi::Value Randint(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::randint(a.Int(0, "low"), a.Int(1, "high"), a.IntList(2, "shape"), a.Options(3)));
}

Napi::Value Randperm(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::randperm(a.Int(0, "n"), a.Options(1)));
}

// arange(start, end, step, dtype, device)
Napi::Value Arange(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              at::arange(a.Scalar(0, "start"), a.Scalar(1, "end"), a.Scalar(2, "step"), a.Options(3)));
}

Napi::Value Linspace(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(),
              at::linspace(a.Scalar(0, "start"), a.Scalar(1, "end"), a.Int(2, "steps"), a.Options(3)));
}

Napi::Value Eye(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::eye(a.Int(0, "n"), a.Int(1, "m"), a.Options(2)));
}

}  // namespace

void RegisterCreate(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "fromTypedArray", FromTypedArray);
  Export(env, exports, "fromBytes", FromBytes);
  Export(env, exports, "zeros", Zeros);
  Export(env, exports, "ones", Ones);
  Export(env, exports, "empty", Empty);
  Export(env, exports, "full", Full);
  Export(env, exports, "randn", Randn);
  Export(env, exports, "rand", Rand);
  Export(env, exports, "randint", Randint);
  Export(env, exports, "randperm", Randperm);
  Export(env, exports, "arange", Arange);
  Export(env, exports, "linspace", Linspace);
  Export(env, exports, "eye", Eye);
}

}  // namespace rn
