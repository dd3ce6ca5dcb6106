// The dtype table shared by marshalling and dtype arguments: JS name, ATen type, the
// TypedArray that carries its bytes.
#pragma once
#include <c10/core/ScalarType.h>
#include <napi.h>

#include <string>

namespace rn {

struct DTypeInfo {
  const char* name;
  at::ScalarType type;
  napi_typedarray_type array;
  size_t element_size;
};

// nullptr when `name` is unknown.
const DTypeInfo* FindDType(const std::string& name);
const DTypeInfo* FindDType(at::ScalarType type);
// Throws DTypeError naming `arg` when the name is unknown.
at::ScalarType ParseDType(Napi::Env env, const Napi::Value& value, const char* arg);

}  // namespace rn
