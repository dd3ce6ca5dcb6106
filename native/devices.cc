#include "devices.h"

#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <mutex>

#include "args.h"
#include "registry.h"

namespace rn {

int CudaDeviceCount() { return static_cast<int>(torch::cuda::device_count()); }

std::string LoadedLibtorch() {
  static const std::string described = [] {
    const std::string version = std::string("libtorch ") + TORCH_VERSION;
    try {
      // A CPU-only libtorch has no CUDA hooks: the default ones refuse to report a version.
      const long v = at::detail::getCUDAHooks().versionCUDART();
      return version + ", built with CUDA " + std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
    } catch (const c10::Error&) {
      return version + ", a CPU-only build";
    }
  }();
  return described;
}

std::string NoCudaMessage(const std::string& subject) {
  const std::string loaded = LoadedLibtorch();
  const bool cuda_build = loaded.find("built with CUDA") != std::string::npos;
  return "No CUDA device is available for " + subject + ": " +
         (cuda_build ? "this libtorch supports CUDA but found no GPU (" + loaded +
                           "); check the NVIDIA driver and CUDA_VISIBLE_DEVICES"
                     : "this libtorch has no CUDA support (" + loaded +
                           "); build the addon against a CUDA libtorch (LIBTORCH=<a pip PyTorch's torch/ "
                           "folder>) to use a GPU");
}

at::Device ParseDevice(const std::string& s, const char* name) {
  if (s == "cpu") return at::Device(at::kCPU);
  int index = -1;
  if (s == "cuda") index = 0;
  if (s.rfind("cuda:", 0) == 0 && s.size() > 5 && s.size() < 9 &&
      s.find_first_not_of("0123456789", 5) == std::string::npos) {
    index = std::stoi(s.substr(5));
  }
  if (index < 0) {
    Fail(ErrorKind::Device, std::string("Expected 'cpu', 'cuda' or 'cuda:N' for ") + name +
                                " but received \"" + s.substr(0, 40) + "\" of type string");
  }
  // Checked here: libtorch's own message for a missing CUDA backend is kilobytes long.
  const int count = CudaDeviceCount();
  if (count == 0) Fail(ErrorKind::Device, NoCudaMessage(std::string(name) + " '" + s + "'"));
  if (index >= count) {
    Fail(ErrorKind::Device, "Expected a CUDA device index below " + std::to_string(count) + " for " + name +
                                " but received '" + s + "' (" + std::to_string(count) +
                                " CUDA device(s) visible; " + LoadedLibtorch() + ")");
  }
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
}

void SameDevice::See(const at::Tensor& t, const char* arg) {
  if (!t.defined() || (t.dim() == 0 && t.is_cpu())) return;
  if (first_arg_ == nullptr) {
    first_arg_ = arg;
    first_ = t.device();
    return;
  }
  if (t.device() == first_) return;
  Fail(ErrorKind::Device, std::string("Expected the tensors of ") + op_ + "() on one device but received " +
                              first_arg_ + " on " + first_.str() + " and " + arg + " on " + t.device().str() +
                              ": move them with .to(device) first");
}

namespace {

// The CUDA generator of device `index`, once the index is known to exist.
at::Generator CudaGenerator(const Args& a, size_t i) {
  const int64_t index = a.Int(i, "device");
  if (index < 0) a.Fail("device", "a CUDA device index >= 0", i);
  return at::globalContext().defaultGenerator(ParseDevice("cuda:" + std::to_string(index), "device"));
}

// checkDevice(device, name) → the canonical name ('cuda' → 'cuda:0'), or a DeviceError.
Napi::Value CheckDevice(const Napi::CallbackInfo& info) {
  Args a(info);
  const std::string name = a.IsNullish(1) ? "device" : a.String(1, "name");
  return Napi::String::New(a.env(), ParseDevice(a.String(0, "device"), name.c_str()).str());
}

// noCudaMessage(subject): the error text, for the callers that warn instead of throwing.
Napi::Value NoCudaMessageJs(const Napi::CallbackInfo& info) {
  Args a(info);
  return Napi::String::New(a.env(), NoCudaMessage(a.String(0, "subject")));
}

Napi::Value LoadedLibtorchJs(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), LoadedLibtorch());
}

// cudaSynchronizeDevice(index | -1): waits for the device's queued work (-1: the current device).
Napi::Value CudaSynchronizeDevice(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t index = a.Int(0, "device");
  if (CudaDeviceCount() == 0) Fail(ErrorKind::Device, NoCudaMessage("cuda.synchronize()"));
  if (index >= 0) ParseDevice("cuda:" + std::to_string(index), "device");
  torch::cuda::synchronize(index);
  return a.env().Undefined();
}

// cudaManualSeed(seed, index | -1): seeds one CUDA generator, or all; nothing without CUDA
// (as torch.cuda.manual_seed, which is silently ignored there).
Napi::Value CudaManualSeed(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t seed = a.Int(0, "seed");
  const int64_t index = a.Int(1, "device");
  const int count = CudaDeviceCount();
  for (int i = 0; i < count; ++i) {
    if (index >= 0 && i != index) continue;
    auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i)));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(static_cast<uint64_t>(seed));
  }
  return a.env().Undefined();
}

// cudaGetRngState(index) → a uint8 CPU tensor, as torch.cuda.get_rng_state.
Napi::Value CudaGetRngState(const Napi::CallbackInfo& info) {
  Args a(info);
  at::Generator gen = CudaGenerator(a, 0);
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(a.env(), gen.get_state());
}

Napi::Value CudaSetRngState(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& state = a.Tensor(0, "state");
  at::Generator gen = CudaGenerator(a, 1);
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return a.env().Undefined();
}

// pinMemory(tensor) → a copy in page-locked host memory, which the GPU copies from without a
// staging buffer (and asynchronously, with nonBlocking).
Napi::Value PinMemory(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  if (CudaDeviceCount() == 0) Fail(ErrorKind::Device, NoCudaMessage("pinMemory()"));
  if (!t.is_cpu())
    Fail(ErrorKind::Device, "pinMemory() needs a CPU tensor but received one on " + t.device().str());
  return Wrap(a.env(), t.pin_memory());
}

// Without a CUDA device nothing can be pinned (and libtorch 2.x would ask for an accelerator).
Napi::Value IsPinned(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  return Napi::Boolean::New(a.env(), CudaDeviceCount() > 0 && t.is_cpu() && t.is_pinned());
}

}  // namespace

void RegisterDevices(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "checkDevice", CheckDevice, Policy::Query);
  Export(env, exports, "noCudaMessage", NoCudaMessageJs, Policy::Query);
  Export(env, exports, "loadedLibtorch", LoadedLibtorchJs, Policy::Query);
  Export(env, exports, "isPinned", IsPinned, Policy::Query);
  // Seeds and generator states are process state a replay would not reproduce; pinning and
  // synchronizing belong to data loading and timing, outside a captured step.
  Export(env, exports, "cudaSynchronizeDevice", CudaSynchronizeDevice);
  Export(env, exports, "cudaManualSeed", CudaManualSeed);
  Export(env, exports, "cudaGetRngState", CudaGetRngState);
  Export(env, exports, "cudaSetRngState", CudaSetRngState);
  Export(env, exports, "pinMemory", PinMemory);
  RegisterBackends(env, exports);
#ifdef RESNET_NATIVE_CUDA
  RegisterCudaMemory(env, exports);
#endif
}

}  // namespace rn
