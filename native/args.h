// Reading native-call arguments. lib/ validates user input with friendly messages first;
// these checks are the last line of defence, so a wrong value from any caller becomes a
// JavaScript error instead of undefined behaviour.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>
#include <napi.h>

#include <string>
#include <vector>

#include "dtypes.h"
#include "errors.h"
#include "tensor.h"

namespace rn {

class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : info_(info), env_(info.Env()) {}

  Napi::Env env() const { return env_; }
  const Napi::Value operator[](size_t i) const { return info_[i]; }
  bool IsNullish(size_t i) const { return info_[i].IsNull() || info_[i].IsUndefined(); }
  bool IsTensor(size_t i) const { return TensorHandle::Is(env_, info_[i]); }

  const at::Tensor& Tensor(size_t i, const char* name) const {
    return TensorHandle::From(env_, info_[i], name);
  }
  // Undefined tensor for null/undefined: ATen treats it as "absent" (e.g. no bias).
  at::Tensor OptionalTensor(size_t i, const char* name) const {
    return IsNullish(i) ? at::Tensor() : Tensor(i, name);
  }
  std::vector<at::Tensor> TensorList(size_t i, const char* name) const;

  double Number(size_t i, const char* name) const;
  int64_t Int(size_t i, const char* name) const;
  bool Bool(size_t i, const char* name) const;
  std::string String(size_t i, const char* name) const;
  std::vector<int64_t> IntList(size_t i, const char* name) const;
  // A JS number as an ATen scalar: integral values stay integral so that int tensors
  // keep their dtype, as in PyTorch where `t + 2` and `t + 2.5` differ.
  at::Scalar Scalar(size_t i, const char* name) const;
  at::ScalarType DType(size_t i, const char* name) const;
  // "cpu", "cuda" or "cuda:N".
  at::Device Device(size_t i, const char* name) const;
  // dtype and device at positions i and i + 1, for creation functions.
  at::TensorOptions Options(size_t i) const;

  [[noreturn]] void Fail(const char* name, const char* expected, size_t i) const;

 private:
  const Napi::CallbackInfo& info_;
  Napi::Env env_;
};

// A finite whole number within ±(2^53 - 1): what every integer read from JavaScript must be.
bool IsSafeInteger(double v);
// `v` as an int64 when it is a number that IsSafeInteger accepts; false otherwise.
bool ReadSafeInteger(const Napi::Value& v, int64_t* out);

// A JS number as an ATen scalar: integral values stay integral (see Args::Scalar).
at::Scalar ScalarFromNumber(double v);

inline Napi::Value Wrap(Napi::Env env, at::Tensor t) { return TensorHandle::Make(env, std::move(t)); }

}  // namespace rn
