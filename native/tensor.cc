#include "tensor.h"

#include <mutex>
#include <unordered_set>

#include "errors.h"
#include "instance.h"

namespace rn {
namespace {

// Native memory changes are told to V8 once they add up to 1 MiB either way, not twice per op
// (memory() stays exact: it reads MemoryStats). One counter per thread: one per environment.
thread_local int64_t unreported = 0;
int64_t ToReport(int64_t delta) {
  constexpr int64_t kReportBytes = 1 << 20;
  unreported += delta;
  if (unreported < kReportBytes && unreported > -kReportBytes) return 0;
  const int64_t d = unreported;
  unreported = 0;
  return d;
}

// The live handles of the process. Identifying an argument by this set after napi_unwrap costs
// about a third of napi_instanceof, whose prototype walk and Symbol.hasInstance lookup were the
// largest share of a tiny op's native time (callgrind: ~2,400 instructions per tensor
// argument). The pointer is only compared, never followed, before it is known to be a handle.
struct LiveHandles {
  std::mutex mutex;  // worker threads have their own environments and handles
  std::unordered_set<const void*> set;
};
LiveHandles& Live() {
  static auto* live = new LiveHandles();  // never destroyed: finalizers may run at exit
  return *live;
}

}  // namespace

Napi::Value TensorHandle::Make(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  napi_value object;
  NAPI_THROW_IF_FAILED(env, napi_create_object(env, &object), Napi::Value());
  auto* handle = new TensorHandle(env, std::move(tensor));
  const napi_status status = napi_wrap(env, object, handle, Finalize, nullptr, nullptr);
  if (status != napi_ok) {
    delete handle;
    NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  }
  return Napi::Value(env, object);
}

void TensorHandle::Finalize(napi_env, void* data, void*) { delete static_cast<TensorHandle*>(data); }

TensorHandle* TensorHandle::TryUnwrap(Napi::Env env, const Napi::Value& value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object) return nullptr;
  void* wrapped = nullptr;
  // Fails, without a JavaScript exception, for an object that wraps nothing.
  if (napi_unwrap(env, value, &wrapped) != napi_ok || wrapped == nullptr) return nullptr;
  LiveHandles& live = Live();
  std::lock_guard<std::mutex> lock(live.mutex);
  return live.set.count(wrapped) != 0 ? static_cast<TensorHandle*>(wrapped) : nullptr;
}

const at::Tensor& TensorHandle::From(Napi::Env env, const Napi::Value& value, const char* arg) {
  TensorHandle* handle = TryUnwrap(env, value);
  if (handle == nullptr) {
    Throw(env, ErrorKind::Argument,
          std::string("Expected a Tensor for ") + arg + " but received " + DescribeValue(value));
  }
  if (handle->disposed()) {
    Throw(env, ErrorKind::Disposed,
          std::string("Tensor passed as ") + arg + " was disposed and can no longer be used");
  }
  return handle->tensor_;
}

TensorHandle::TensorHandle(napi_env env, at::Tensor tensor)
    : env_(env), tensor_(std::move(tensor)), stats_(GetInstance(env)->stats) {
  {
    LiveHandles& live = Live();
    std::lock_guard<std::mutex> lock(live.mutex);
    live.set.insert(static_cast<const void*>(this));
  }
  int64_t bytes = 0;
  if (tensor_.has_storage()) {
    storage_ = tensor_.storage().unsafeGetStorageImpl();
    bytes = static_cast<int64_t>(tensor_.storage().nbytes());
  }
  const int64_t delta = ToReport(stats_->Acquire(&tensor_, storage_, bytes));
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(env, delta);
}

void TensorHandle::Release() {
  if (!tensor_.defined()) return;
  tensor_.reset();
  const int64_t delta = ToReport(stats_->Release(&tensor_, storage_));
  storage_ = nullptr;
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Napi::Env(env_), delta);
}

TensorHandle::~TensorHandle() {
  {
    LiveHandles& live = Live();
    std::lock_guard<std::mutex> lock(live.mutex);
    live.set.erase(static_cast<const void*>(this));
  }
  // Runs inside V8's garbage collection for tensors the program forgot to dispose (Node-API's
  // experimental finalizers, CMakeLists.txt): nothing here may touch the JavaScript heap.
  if (!tensor_.defined()) return;
  tensor_.reset();
  // napi_adjust_external_memory is one of the calls Node allows inside the collection.
  const int64_t delta = ToReport(stats_->Release(&tensor_, storage_));
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Napi::Env(env_), delta);
}

}  // namespace rn
