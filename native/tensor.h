// The JavaScript handle of one at::Tensor. lib/tensor.ts wraps it in the public Tensor
// class; native functions receive handles and return new ones.
#pragma once
#include <ATen/core/Tensor.h>
#include <napi.h>

#include <memory>

#include "memory_stats.h"

namespace rn {

// A handle is a plain object wrapping a TensorHandle (napi_wrap), not an instance of a native
// class: napi_new_instance's call through a constructor cost about as much as the op it wrapped
// for a tiny tensor. Handles are told apart from other objects by the set of live handles
// (TryUnwrap), not by their prototype.
class TensorHandle {
 public:
  // Wraps `tensor` in a new handle object (an undefined tensor becomes null).
  static Napi::Value Make(Napi::Env env, at::Tensor tensor);
  // The tensor behind argument `value`; throws ArgumentError naming `arg` when it is not a
  // handle, DisposedError when it was disposed.
  static const at::Tensor& From(Napi::Env env, const Napi::Value& value, const char* arg);
  static bool Is(Napi::Env env, const Napi::Value& value) { return TryUnwrap(env, value) != nullptr; }
  // The handle behind `value`, or nullptr for any other value (an object wrapping something
  // else, of this addon or another, included).
  static TensorHandle* TryUnwrap(Napi::Env env, const Napi::Value& value);

  TensorHandle(const TensorHandle&) = delete;
  TensorHandle& operator=(const TensorHandle&) = delete;
  ~TensorHandle();

  // Frees the tensor now (dispose()); later use throws DisposedError.
  void Release();
  bool disposed() const { return !tensor_.defined(); }
  const at::Tensor& tensor() const { return tensor_; }

 private:
  TensorHandle(napi_env env, at::Tensor tensor);
  // napi_wrap's finalizer: the garbage collector collected a handle the program forgot to dispose.
  static void Finalize(napi_env env, void* data, void* hint);

  napi_env env_;
  at::Tensor tensor_;
  const void* storage_ = nullptr;
  std::shared_ptr<MemoryStats> stats_;
};

}  // namespace rn
