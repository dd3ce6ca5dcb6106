#include "dtypes.h"

#include "errors.h"

namespace rn {
namespace {

// Each TypedArray must carry exactly the bytes of its dtype; checked at compile time.
constexpr DTypeInfo kDTypes[] = {
    {"float32", at::kFloat, napi_float32_array, sizeof(float)},
    {"float64", at::kDouble, napi_float64_array, sizeof(double)},
    {"int32", at::kInt, napi_int32_array, sizeof(int32_t)},
    {"int64", at::kLong, napi_bigint64_array, sizeof(int64_t)},
    {"bool", at::kBool, napi_uint8_array, sizeof(bool)},
    {"uint8", at::kByte, napi_uint8_array, sizeof(uint8_t)},
    {"int8", at::kChar, napi_int8_array, sizeof(int8_t)},
    {"int16", at::kShort, napi_int16_array, sizeof(int16_t)},
    {"float16", at::kHalf, napi_uint16_array, 2},
    {"bfloat16", at::kBFloat16, napi_uint16_array, 2},
};
static_assert(sizeof(bool) == 1, "bool tensors are exchanged as Uint8Array");
static_assert(sizeof(c10::Half) == 2 && sizeof(c10::BFloat16) == 2,
              "16-bit floats are exchanged as Uint16Array bit patterns");

}  // namespace

const DTypeInfo* FindDType(const std::string& name) {
  for (const auto& d : kDTypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DTypeInfo* FindDType(at::ScalarType type) {
  for (const auto& d : kDTypes) {
    if (d.type == type) return &d;
  }
  return nullptr;
}

at::ScalarType ParseDType(Napi::Env env, const Napi::Value& value, const char* arg) {
  const DTypeInfo* info = value.IsString() ? FindDType(value.As<Napi::String>().Utf8Value()) : nullptr;
  if (info == nullptr) {
    Throw(env, ErrorKind::DType,
          std::string("Expected a dtype (float32, float64, float16, bfloat16, int64, int32, int16, "
                      "int8, uint8, bool) for ") +
              arg + " but received " + DescribeValue(value));
  }
  return info->type;
}

}  // namespace rn
