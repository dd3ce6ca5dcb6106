#include "tensor.h"

#include "errors.h"
#include "instance.h"

namespace rn {
namespace {

// The tensor TensorHandle::Make is wrapping, handed to the constructor beside its (empty)
// arguments rather than as an External argument: one JavaScript object fewer per op result.
thread_local at::Tensor* pending = nullptr;

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

}  // namespace

Napi::Function TensorHandle::Define(Napi::Env env) { return DefineClass(env, "TensorHandle", {}); }

Napi::Value TensorHandle::Make(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  InstanceData* data = GetInstance(env);
  struct Pending {
    explicit Pending(at::Tensor* t) { pending = t; }
    ~Pending() { pending = nullptr; }
  } scope(&tensor);
  return data->tensor_ctor.New({});
}

bool TensorHandle::Is(Napi::Env env, const Napi::Value& value) {
  return value.IsObject() && value.As<Napi::Object>().InstanceOf(GetInstance(env)->tensor_ctor.Value());
}

const at::Tensor& TensorHandle::From(Napi::Env env, const Napi::Value& value, const char* arg) {
  if (!Is(env, value)) {
    Throw(env, ErrorKind::Argument,
          std::string("Expected a Tensor for ") + arg + " but received " + DescribeValue(value));
  }
  TensorHandle* handle = Unwrap(value.As<Napi::Object>());
  if (handle->disposed()) {
    Throw(env, ErrorKind::Disposed,
          std::string("Tensor passed as ") + arg + " was disposed and can no longer be used");
  }
  return handle->tensor_;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 0 || pending == nullptr) {
    Throw(env, ErrorKind::Argument, "TensorHandle is created by the library, not with new");
  }
  tensor_ = std::move(*pending);
  pending = nullptr;
  stats_ = GetInstance(env)->stats;
  int64_t bytes = 0;
  bool cuda = false;
  if (tensor_.has_storage()) {
    storage_ = tensor_.storage().unsafeGetStorageImpl();
    bytes = static_cast<int64_t>(tensor_.storage().nbytes());
    cuda = tensor_.is_cuda();
  }
  const int64_t delta = ToReport(stats_->Acquire(&tensor_, storage_, bytes, cuda));
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(env, delta);
}

void TensorHandle::Release() {
  if (!tensor_.defined()) return;
  tensor_.reset();
  const int64_t delta = ToReport(stats_->Release(&tensor_, storage_));
  storage_ = nullptr;
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), delta);
}

TensorHandle::~TensorHandle() {
  // Runs from the garbage collector for tensors the program forgot to dispose.
  if (!tensor_.defined()) return;
  tensor_.reset();
  // napi_adjust_external_memory is one of the calls Node allows inside finalizers.
  const int64_t delta = ToReport(stats_->Release(&tensor_, storage_));
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), delta);
}

}  // namespace rn
