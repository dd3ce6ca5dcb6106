// One place where C++ failures become JavaScript errors. Every exported function is
// registered through Export(), whose trampoline catches libtorch's c10::Error and any
// std::exception, so no native failure can abort the process.
#pragma once
#include <napi.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "warnings.h"

namespace rn {

// Matches the error classes that lib/errors.ts hands to init().
enum class ErrorKind { Argument, Shape, DType, Disposed, Torch, Device };

// Builds an instance of the library's error class for `kind`.
Napi::Error MakeError(Napi::Env env, ErrorKind kind, const std::string& message);

[[noreturn]] inline void Throw(Napi::Env env, ErrorKind kind, const std::string& message) {
  throw MakeError(env, kind, message);
}

// An error raised by an op's kernel, which may run on the JavaScript thread or in a replay
// on the executor thread (where there is no Napi::Env): it carries the library's error kind.
class OpError : public std::runtime_error {
 public:
  OpError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
  ErrorKind kind;
};

[[noreturn]] inline void Fail(ErrorKind kind, const std::string& message) { throw OpError(kind, message); }

// The kind and message of the exception being handled (call inside a catch block): libtorch's
// errors become Torch errors with the message a PyTorch user would see.
std::pair<ErrorKind, std::string> DescribeCurrentException();

// What a native call may do while a capture records (native/capture.h): Record its call into
// the program, Query (no effect on tensors: metadata, dispose; not recorded), or Refuse (reads
// values into JavaScript or changes process state, so a replay could not reproduce it).
enum class Policy { Record, Query, Refuse };

// Throws ArgumentError when a capture is recording in `env` (for Refuse ops).
void RefuseDuringCapture(Napi::Env env, const char* name);

// "number", "string", "Tensor", "undefined", ... for error messages.
std::string DescribeValue(const Napi::Value& value);

using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);

// Registers `fn` as exports[name], wrapped so that C++ exceptions become JS errors. Ops whose
// calls are recorded by a capture are declared with Define (native/op.h) instead; these raw
// functions are either harmless to a capture (Query) or refused while one records.
void Export(Napi::Env env, Napi::Object exports, const char* name, NativeFn fn,
            Policy policy = Policy::Refuse);

// Runs `f`, turning C++ exceptions into the library's JavaScript errors, and libtorch's
// warnings raised meanwhile into Node warnings.
template <typename F>
Napi::Value Guarded(Napi::Env env, F&& f) {
  try {
    Napi::Value result = f();
    FlushWarnings(env);
    return result;
  } catch (const Napi::Error&) {
    FlushWarnings(env);
    throw;
  } catch (...) {
    FlushWarnings(env);
    auto [kind, message] = DescribeCurrentException();
    throw MakeError(env, kind, message);
  }
}

}  // namespace rn
