// torch.backends' switches: process-wide flags in libtorch's global context. They are plain
// flags, readable and settable in a CPU-only build too, where they change nothing.
#include <ATen/Context.h>

#include <string>

#include "args.h"
#include "devices.h"

namespace rn {
namespace {

// backendFlags() → every flag, named as lib/backends.ts names them.
Napi::Value BackendFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto& ctx = at::globalContext();
  Napi::Object out = Napi::Object::New(env);
  out.Set("cudnnEnabled", ctx.userEnabledCuDNN());
  out.Set("cudnnBenchmark", ctx.benchmarkCuDNN());
  out.Set("cudnnDeterministic", ctx.deterministicCuDNN());
  out.Set("cudnnAllowTF32", ctx.allowTF32CuDNN());
  out.Set("matmulAllowTF32", ctx.allowTF32CuBLAS());
  out.Set("deterministicAlgorithms", ctx.deterministicAlgorithms());
  out.Set("deterministicWarnOnly", ctx.deterministicAlgorithmsWarnOnly());
  return out;
}

// setBackendFlag(name, value, warnOnly): `warnOnly` only for 'deterministicAlgorithms'.
Napi::Value SetBackendFlag(const Napi::CallbackInfo& info) {
  Args a(info);
  const std::string name = a.String(0, "name");
  const bool value = a.Bool(1, "value");
  auto& ctx = at::globalContext();
  if (name == "cudnnEnabled") {
    ctx.setUserEnabledCuDNN(value);
  } else if (name == "cudnnBenchmark") {
    ctx.setBenchmarkCuDNN(value);
  } else if (name == "cudnnDeterministic") {
    ctx.setDeterministicCuDNN(value);
  } else if (name == "cudnnAllowTF32") {
    ctx.setAllowTF32CuDNN(value);
  } else if (name == "matmulAllowTF32") {
    ctx.setAllowTF32CuBLAS(value);
  } else if (name == "deterministicAlgorithms") {
    ctx.setDeterministicAlgorithms(value, a.Bool(2, "warnOnly"));
  } else {
    a.Fail("name", "a backend flag", 0);
  }
  return a.env().Undefined();
}

}  // namespace

void RegisterBackends(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "backendFlags", BackendFlags, Policy::Query);
  // A replay would not reproduce a flag change: refused while a capture records.
  Export(env, exports, "setBackendFlag", SetBackendFlag);
}

}  // namespace rn
