// The JavaScript handle of one at::Tensor. lib/tensor.ts wraps it in the public Tensor
// class; native functions receive handles and return new ones.
#pragma once
#include <ATen/core/Tensor.h>
#include <napi.h>

#include <memory>

#include "memory_stats.h"

namespace rn {

class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Wraps `tensor` in a new handle object (an undefined tensor becomes null).
  static Napi::Value Make(Napi::Env env, at::Tensor tensor);
  // The tensor behind argument `value`; throws ArgumentError naming `arg` when it is not a
  // handle, DisposedError when it was disposed.
  static const at::Tensor& From(Napi::Env env, const Napi::Value& value, const char* arg);
  static bool Is(Napi::Env env, const Napi::Value& value) { return TryUnwrap(env, value) != nullptr; }
  // The handle behind `value`, or nullptr for any other value (an object of another class or
  // of another addon included).
  static TensorHandle* TryUnwrap(Napi::Env env, const Napi::Value& value);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  // Frees the tensor now (dispose()); later use throws DisposedError.
  void Release();
  bool disposed() const { return !tensor_.defined(); }
  const at::Tensor& tensor() const { return tensor_; }

 private:
  at::Tensor tensor_;
  const void* storage_ = nullptr;
  std::shared_ptr<MemoryStats> stats_;
};

}  // namespace rn
