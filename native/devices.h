// Devices: the one place that parses device names, knows whether CUDA can be used here, and
// words the error when it cannot (with the libtorch that was loaded, so a user sees at once
// whether the build or the machine lacks CUDA).
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <napi.h>

#include <string>

namespace rn {

// The CUDA devices libtorch sees (0 for a CPU-only libtorch or a machine without a GPU).
int CudaDeviceCount();

// "libtorch 1.13.1, a CPU-only build" or "libtorch 2.14.1, built with CUDA 13.0".
std::string LoadedLibtorch();

// "No CUDA device is available for <subject>: ... (libtorch ...)".
std::string NoCudaMessage(const std::string& subject);

// "cpu", "cuda" or "cuda:N" as an at::Device; throws OpError(Device) for another name, for CUDA
// when no CUDA device is available, and for an index at or above the device count. `name` is
// the argument's name for the message.
at::Device ParseDevice(const std::string& s, const char* name);

// Collects the devices of an op's tensor arguments and throws OpError(Device) naming both
// arguments and devices when two differ, instead of libtorch's error from deep inside a kernel.
// Zero-dimensional CPU tensors are skipped: libtorch takes them as scalars beside CUDA tensors.
class SameDevice {
 public:
  explicit SameDevice(const char* op) : op_(op) {}
  void See(const at::Tensor& t, const char* arg);

 private:
  const char* op_;
  const char* first_arg_ = nullptr;
  at::Device first_ = at::Device(at::kCPU);
};

void RegisterDevices(Napi::Env env, Napi::Object exports);
void RegisterBackends(Napi::Env env, Napi::Object exports);
#ifdef RESNET_NATIVE_CUDA
void RegisterCudaMemory(Napi::Env env, Napi::Object exports);  // native/cuda_memory.cc
#endif

}  // namespace rn
