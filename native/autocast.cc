// Autocast: libtorch's own (the dispatcher's Autocast keys), so the ops that run in lower
// precision are torch.autocast's. The thread-local state is set here around JavaScript's fn
// (lib/amp/autocast.ts) and around replays (Program::Run). libtorch 2.4 replaced the per-device
// functions (set_cpu_enabled, set_autocast_gpu_dtype, ...) with ones taking the device type;
// the version test lives only in the four helpers below.
#include "autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <string>
#include <vector>

#include "op.h"

#define RN_AUTOCAST_BY_DEVICE_TYPE \
  (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))

namespace rn {
namespace {

bool IsEnabled(at::DeviceType device) {
#if RN_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(device);
#else
  return device == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

void SetEnabled(at::DeviceType device, bool enabled) {
#if RN_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == at::kCPU)
    at::autocast::set_cpu_enabled(enabled);
  else
    at::autocast::set_enabled(enabled);
#endif
}

at::ScalarType GetDType(at::DeviceType device) {
#if RN_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(device);
#else
  return device == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void SetDType(at::DeviceType device, at::ScalarType dtype) {
#if RN_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == at::kCPU)
    at::autocast::set_autocast_cpu_dtype(dtype);
  else
    at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

at::DeviceType DeviceTypeOf(const std::string& name) {
  if (name == "cpu") return at::kCPU;
  if (name == "cuda") return at::kCUDA;
  Fail(ErrorKind::Device, "Expected 'cpu' or 'cuda' for deviceType but received '" + name + "'");
}

bool IsAutocastDType(at::ScalarType t) { return t == at::kHalf || t == at::kBFloat16; }

// autocastEnter(deviceType, enabled, dtype) → [previous enabled (0/1), previous dtype (an
// at::ScalarType code)]: what autocastExit restores. Recorded by a capture, so a program that
// enters autocast midway (a training step's forward) does the same when it replays.
std::vector<int64_t> AutocastEnter(const std::string& device_type, bool enabled, at::ScalarType dtype) {
  const at::DeviceType device = DeviceTypeOf(device_type);
  if (!IsAutocastDType(dtype))
    Fail(ErrorKind::DType,
         std::string("Expected 'float16' or 'bfloat16' for the autocast dtype but received ") +
             c10::toString(dtype));
  const std::vector<int64_t> previous = {IsEnabled(device) ? 1 : 0, static_cast<int64_t>(GetDType(device))};
  SetDType(device, dtype);  // first: libtorch refuses a dtype it cannot autocast to, and nothing changed yet
  SetEnabled(device, enabled);
  at::autocast::increment_nesting();
  return previous;
}

void AutocastExit(const std::string& device_type, bool previous_enabled, int64_t previous_dtype) {
  const at::DeviceType device = DeviceTypeOf(device_type);
  const auto dtype = static_cast<at::ScalarType>(previous_dtype);
  if (previous_dtype < 0 || previous_dtype >= static_cast<int64_t>(at::ScalarType::NumOptions))
    Fail(ErrorKind::Argument,
         "Expected the dtype code autocastEnter returned but received " + std::to_string(previous_dtype));
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(device, previous_enabled);
  SetDType(device, dtype);
}

// autocastState() → [cpu enabled, cpu dtype, cuda enabled, cuda dtype], dtypes by name: for
// capture keys and isAutocastEnabled().
Napi::Value AutocastStateJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const AutocastState s = AutocastState::Current();
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Boolean::New(env, s.cpu_enabled));
  out.Set(1u, FindDType(s.cpu_dtype)->name);
  out.Set(2u, Napi::Boolean::New(env, s.cuda_enabled));
  out.Set(3u, FindDType(s.cuda_dtype)->name);
  return out;
}

// The dtypes CPU autocast accepts in the libtorch built against: 1.x only bfloat16
// (set_autocast_cpu_dtype refuses others), 2.4 and later float16 as well.
Napi::Value AutocastCpuDTypes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if RN_AUTOCAST_BY_DEVICE_TYPE
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(1u, "float16");
#else
  Napi::Array out = Napi::Array::New(env, 1);
#endif
  out.Set(0u, "bfloat16");
  return out;
}

}  // namespace

AutocastState AutocastState::Current() {
  AutocastState s;
  s.cpu_enabled = IsEnabled(at::kCPU);
  s.cpu_dtype = GetDType(at::kCPU);
  s.cuda_enabled = IsEnabled(at::kCUDA);
  s.cuda_dtype = GetDType(at::kCUDA);
  return s;
}

void AutocastState::Apply() const {
  SetDType(at::kCPU, cpu_dtype);
  SetEnabled(at::kCPU, cpu_enabled);
  SetDType(at::kCUDA, cuda_dtype);
  SetEnabled(at::kCUDA, cuda_enabled);
}

AutocastScope::AutocastScope(const AutocastState& state) : previous_(AutocastState::Current()) {
  state.Apply();
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  previous_.Apply();
}

void RegisterAutocast(Napi::Env env, Napi::Object exports) {
  Define<AutocastEnter>(env, exports, "autocastEnter", {"deviceType", "enabled", "dtype"});
  Define<AutocastExit>(env, exports, "autocastExit", {"deviceType", "previousEnabled", "previousDType"});
  Export(env, exports, "autocastState", AutocastStateJs, Policy::Query);
  Export(env, exports, "autocastCpuDTypes", AutocastCpuDTypes, Policy::Query);
}

}  // namespace rn
