// The CUDA caching allocator's counters, as torch.cuda.memory_allocated / memory_reserved /
// empty_cache. It needs CUDA headers, so it is compiled only for a CUDA libtorch
// (RESNET_NATIVE_CUDA, set by CMakeLists.txt); lib/cuda.ts answers without a device itself.
#ifdef RESNET_NATIVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>

#include "args.h"
#include "devices.h"

namespace rn {
namespace {

// Statistic 0 is the aggregate over the small and large pools (StatType::AGGREGATE, whose
// namespace moved between libtorch versions).
constexpr size_t kAggregate = 0;

c10::DeviceIndex DeviceArg(const Args& a, size_t i) {
  const int64_t index = a.Int(i, "device");
  if (index < 0) a.Fail("device", "a CUDA device index >= 0", i);
  return ParseDevice("cuda:" + std::to_string(index), "device").index();
}

Napi::Value MemoryAllocated(const Napi::CallbackInfo& info) {
  Args a(info);
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(DeviceArg(a, 0));
  return Napi::Number::New(a.env(), static_cast<double>(stats.allocated_bytes[kAggregate].current));
}

Napi::Value MemoryReserved(const Napi::CallbackInfo& info) {
  Args a(info);
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(DeviceArg(a, 0));
  return Napi::Number::New(a.env(), static_cast<double>(stats.reserved_bytes[kAggregate].current));
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  c10::cuda::CUDACachingAllocator::emptyCache();
  return info.Env().Undefined();
}

}  // namespace

void RegisterCudaMemory(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "cudaMemoryAllocated", MemoryAllocated, Policy::Query);
  Export(env, exports, "cudaMemoryReserved", MemoryReserved, Policy::Query);
  Export(env, exports, "cudaEmptyCache", EmptyCache);
}

}  // namespace rn
#endif  // RESNET_NATIVE_CUDA
