// One place where C++ failures become JavaScript errors. Every exported function is
// registered through Export(), whose trampoline catches libtorch's c10::Error and any
// std::exception, so no native failure can abort the process.
#pragma once
#include <napi.h>

#include <string>

namespace rn {

// Matches the error classes that lib/errors.ts hands to init().
enum class ErrorKind { Argument, Shape, DType, Disposed, Torch, Device };

// Builds an instance of the library's error class for `kind`.
Napi::Error MakeError(Napi::Env env, ErrorKind kind, const std::string& message);

[[noreturn]] inline void Throw(Napi::Env env, ErrorKind kind, const std::string& message) {
  throw MakeError(env, kind, message);
}

// "number", "string", "Tensor", "undefined", ... for error messages.
std::string DescribeValue(const Napi::Value& value);

using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);

// Registers `fn` as exports[name], wrapped so that C++ exceptions become JS errors.
void Export(Napi::Env env, Napi::Object exports, const char* name, NativeFn fn);

}  // namespace rn
