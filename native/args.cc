#include "args.h"

#include <cmath>

#include "devices.h"

namespace rn {

void Args::Fail(const char* name, const char* expected, size_t i) const {
  Throw(env_, ErrorKind::Argument,
        std::string("Expected ") + expected + " for " + name + " but received " + DescribeValue(info_[i]));
}

double Args::Number(size_t i, const char* name) const {
  if (!info_[i].IsNumber()) Fail(name, "a number", i);
  return info_[i].As<Napi::Number>().DoubleValue();
}

bool IsSafeInteger(double v) {
  // The range check comes first: casting 1e300 (or NaN) to int64_t is undefined behaviour.
  return std::isfinite(v) && std::floor(v) == v && std::fabs(v) <= 9007199254740991.0;
}

bool ReadSafeInteger(const Napi::Value& v, int64_t* out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!IsSafeInteger(d)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

int64_t Args::Int(size_t i, const char* name) const {
  int64_t v = 0;
  if (!ReadSafeInteger(info_[i], &v)) Fail(name, "an integer", i);
  return v;
}

bool Args::Bool(size_t i, const char* name) const {
  if (!info_[i].IsBoolean()) Fail(name, "a boolean", i);
  return info_[i].As<Napi::Boolean>().Value();
}

std::string Args::String(size_t i, const char* name) const {
  if (!info_[i].IsString()) Fail(name, "a string", i);
  return info_[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::IntList(size_t i, const char* name) const {
  if (!info_[i].IsArray()) Fail(name, "an array of integers", i);
  Napi::Array arr = info_[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    if (!ReadSafeInteger(arr.Get(k), &out[k])) Fail(name, "an array of integers", i);
  }
  return out;
}

std::vector<at::Tensor> Args::TensorList(size_t i, const char* name) const {
  if (!info_[i].IsArray()) Fail(name, "an array of Tensors", i);
  Napi::Array arr = info_[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) out.push_back(TensorHandle::From(env_, arr.Get(k), name));
  return out;
}

at::Scalar ScalarFromNumber(double v) {
  if (IsSafeInteger(v)) {
    return at::Scalar(static_cast<int64_t>(v));
  }
  return at::Scalar(v);
}

at::Scalar Args::Scalar(size_t i, const char* name) const {
  if (info_[i].IsBoolean()) return at::Scalar(info_[i].As<Napi::Boolean>().Value());
  return ScalarFromNumber(Number(i, name));
}

at::ScalarType Args::DType(size_t i, const char* name) const { return ParseDType(env_, info_[i], name); }

at::Device Args::Device(size_t i, const char* name) const { return ParseDevice(String(i, name), name); }

at::TensorOptions Args::Options(size_t i) const {
  return at::TensorOptions().dtype(DType(i, "dtype")).device(Device(i + 1, "device"));
}

}  // namespace rn
