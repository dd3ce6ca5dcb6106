// Process-wide runtime: seeds, threads, devices, memory counters (versions: version.cc).
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/util/Logging.h>
#include <sched.h>
#include <torch/cuda.h>

#include <mutex>

#include "args.h"
#include "cpu_cache_allocator.h"
#include "instance.h"
#include "registry.h"

namespace rn {
namespace {

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t seed = a.Int(0, "seed");
  auto gen = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(static_cast<uint64_t>(seed));
  }
  if (at::globalContext().hasCUDA()) torch::cuda::manual_seed_all(static_cast<uint64_t>(seed));
  return a.env().Undefined();
}

// The CPU generator's state as a uint8 tensor, for checkpoints that resume exactly.
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(info.Env(), at::Tensor(gen.get_state()));
}

Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& state = a.Tensor(0, "state");
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return a.env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t n = a.Int(0, "n");
  if (n < 1) a.Fail("n", "a positive integer", 0);
  at::set_num_threads(static_cast<int>(n));
  return a.env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  return info.Env().Undefined();
}

// TF32 changes float32 results on Ampere and later; tests that compare with float32
// references turn it off.
Napi::Value SetAllowTF32(const Napi::CallbackInfo& info) {
  Args a(info);
  const bool allow = a.Bool(0, "allow");
  at::globalContext().setAllowTF32CuDNN(allow);
  at::globalContext().setAllowTF32CuBLAS(allow);
  return a.env().Undefined();
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const MemoryStats::Totals stats = GetInstance(env)->stats->Measure();
  Napi::Object out = Napi::Object::New(env);
  out.Set("liveTensors", Napi::Number::New(env, static_cast<double>(stats.live_tensors)));
  out.Set("cpuBytes", Napi::Number::New(env, static_cast<double>(stats.cpu_bytes)));
  out.Set("cudaBytes", Napi::Number::New(env, static_cast<double>(stats.cuda_bytes)));
  out.Set("cpuCachedBytes", Napi::Number::New(env, static_cast<double>(CpuCachedBytes())));
  return out;
}

Napi::Value EmptyCpuCacheJs(const Napi::CallbackInfo& info) {
  EmptyCpuCache();
  return info.Env().Undefined();
}

// init({ ArgumentError, ShapeError, ... }): the error classes native code throws.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) Throw(env, ErrorKind::Argument, "init() needs the error classes");
  GetInstance(env)->error_classes = Napi::Persistent(info[0].As<Napi::Object>());
  return env.Undefined();
}

// libtorch starts with one intra-op thread on some builds (Debian's); use the cores this
// process may run on, once per process (threads are process-wide in libtorch).
void SetDefaultThreads() {
  static std::once_flag once;
  std::call_once(once, [] {
    // libtorch captures a C++ backtrace for every error (3-8 ms each); we only ever show
    // what_without_backtrace(), so skip the capture.
    c10::SetStackTraceFetcher([]() { return std::string(); });
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
      const int n = CPU_COUNT(&set);
      if (n > 0) at::set_num_threads(n);
    }
  });
}

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  SetDefaultThreads();
  // Seeds, RNG state, thread counts and TF32 change process state a replay would not
  // reproduce: refused while a capture records. The rest only reads.
  const std::pair<const char*, NativeFn> changes[] = {
      {"manualSeed", ManualSeed},       {"getRngState", GetRngState},   {"setRngState", SetRngState},
      {"setNumThreads", SetNumThreads}, {"setAllowTF32", SetAllowTF32},
  };
  for (const auto& [name, fn] : changes) Export(env, exports, name, fn, Policy::Refuse);
  const std::pair<const char*, NativeFn> queries[] = {
      {"getNumThreads", GetNumThreads},
      {"cudaIsAvailable", CudaIsAvailable},
      {"cudaDeviceCount", CudaDeviceCount},
      {"cudaSynchronize", CudaSynchronize},
      {"memory", Memory},
      {"emptyCpuCache", EmptyCpuCacheJs},
      {"init", Init},
  };
  for (const auto& [name, fn] : queries) Export(env, exports, name, fn, Policy::Query);
}

}  // namespace rn
