#include "tensor.h"

#include "errors.h"
#include "instance.h"

namespace rn {

Napi::Function TensorHandle::Define(Napi::Env env) { return DefineClass(env, "TensorHandle", {}); }

Napi::Value TensorHandle::Make(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  InstanceData* data = GetInstance(env);
  auto external = Napi::External<at::Tensor>::New(env, &tensor);
  return data->tensor_ctor.New({external});
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
  if (info.Length() != 1 || !info[0].IsExternal()) {
    Throw(env, ErrorKind::Argument, "TensorHandle is created by the library, not with new");
  }
  tensor_ = std::move(*info[0].As<Napi::External<at::Tensor>>().Data());
  stats_ = GetInstance(env)->stats;
  int64_t bytes = 0;
  bool cuda = false;
  if (tensor_.has_storage()) {
    storage_ = tensor_.storage().unsafeGetStorageImpl();
    bytes = static_cast<int64_t>(tensor_.storage().nbytes());
    cuda = tensor_.is_cuda();
  }
  const int64_t delta = stats_->Acquire(&tensor_, storage_, bytes, cuda);
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(env, delta);
}

void TensorHandle::Release() {
  if (!tensor_.defined()) return;
  tensor_.reset();
  const int64_t delta = stats_->Release(&tensor_, storage_);
  storage_ = nullptr;
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), delta);
}

TensorHandle::~TensorHandle() {
  // Runs from the garbage collector for tensors the program forgot to dispose.
  if (!tensor_.defined()) return;
  tensor_.reset();
  // napi_adjust_external_memory is one of the calls Node allows inside finalizers.
  const int64_t delta = stats_->Release(&tensor_, storage_);
  if (delta != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), delta);
}

}  // namespace rn
