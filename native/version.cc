// What the addon was built against (libtorch, CUDA, cuDNN), and the CUDA devices present.
// The build's CUDA and cuDNN versions come from libtorch's CUDA hooks, which libtorch_cuda
// registers when it loads: they are the versions that libtorch was compiled with, known
// with or without a GPU. A CPU libtorch has no hooks; the default ones throw.
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <string>

#include "errors.h"
#include "registry.h"

#ifdef RESNET_NATIVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace rn {
namespace {

// A hooks query, or null where this libtorch has no CUDA (the default hooks throw c10::Error).
template <typename Query>
Napi::Value HooksNumber(Napi::Env env, Query query) {
  try {
    return Napi::Number::New(env, static_cast<double>(query(at::detail::getCUDAHooks())));
  } catch (const c10::Error&) {
    return env.Null();
  }
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("libtorch", TORCH_VERSION);
  const auto& hooks = at::detail::getCUDAHooks();
  out.Set("cuda", HooksNumber(env, [](const at::CUDAHooksInterface& h) { return h.versionCUDART(); }));
  // hasCuDNN() says whether this libtorch was compiled with cuDNN (AT_CUDNN_ENABLED).
  out.Set("cudnn", hooks.hasCuDNN()
                       ? HooksNumber(env, [](const at::CUDAHooksInterface& h) { return h.versionCuDNN(); })
                       : env.Null());
  return out;
}

// [{ index, name, totalMemory, capability: [major, minor] }] for each device present; [] when
// none is (or the libtorch has no CUDA).
Napi::Value CudaDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  if (!torch::cuda::is_available()) return out;
  const int count = static_cast<int>(torch::cuda::device_count());
  for (int i = 0; i < count; i++) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", Napi::Number::New(env, i));
#ifdef RESNET_NATIVE_CUDA
    cudaDeviceProp prop;
    const cudaError_t status = cudaGetDeviceProperties(&prop, i);
    if (status != cudaSuccess) {
      Throw(env, ErrorKind::Device,
            std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(status));
    }
    d.Set("name", std::string(prop.name));
    d.Set("totalMemory", Napi::Number::New(env, static_cast<double>(prop.totalGlobalMem)));
    Napi::Array capability = Napi::Array::New(env, 2);
    capability.Set(0u, Napi::Number::New(env, prop.major));
    capability.Set(1u, Napi::Number::New(env, prop.minor));
    d.Set("capability", capability);
#else
    // Without CUDA headers (RESNET_NATIVE_CUDA off) there is no way to ask; a libtorch
    // with devices always brings torch_cuda, so this is not reached in practice.
    d.Set("name", env.Null());
    d.Set("totalMemory", env.Null());
    d.Set("capability", env.Null());
#endif
    out.Set(static_cast<uint32_t>(i), d);
  }
  return out;
}

}  // namespace

void RegisterVersion(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "version", Version, Policy::Query);
  Export(env, exports, "cudaDevices", CudaDevices, Policy::Query);
}

}  // namespace rn
