// Reading tensors back into JavaScript: metadata, TypedArray copies (sync and async),
// item(), dispose().
#include <ATen/ops/_local_scalar_dense.h>
#include <torch/csrc/autograd/function.h>

#include <cstring>
#include <tuple>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

// A failed N-API allocation leaves a pending RangeError: replace it with the library's error.
[[noreturn]] void TooLargeForJs(Napi::Env env, size_t bytes) {
  napi_value pending;
  napi_get_and_clear_last_exception(env, &pending);
  Throw(env, ErrorKind::Argument,
        "Expected a tensor small enough to read into a TypedArray but received one of " +
            std::to_string(bytes) + " bytes, which JavaScript cannot allocate");
}

// Copies a contiguous CPU tensor into a new TypedArray of its dtype.
Napi::Value ToTypedArray(Napi::Env env, const at::Tensor& cpu) {
  const DTypeInfo* dtype = FindDType(cpu.scalar_type());
  if (dtype == nullptr) Throw(env, ErrorKind::DType, "tensor dtype has no TypedArray counterpart");
  const size_t numel = static_cast<size_t>(cpu.numel());
  const size_t bytes = numel * dtype->element_size;
  void* data = nullptr;
  napi_value buffer;
  if (napi_create_arraybuffer(env, bytes, &data, &buffer) != napi_ok) TooLargeForJs(env, bytes);
  if (numel > 0) std::memcpy(data, cpu.data_ptr(), bytes);
  napi_value array;
  if (napi_create_typedarray(env, dtype->array, numel, buffer, 0, &array) != napi_ok)
    TooLargeForJs(env, bytes);
  return Napi::Value(env, array);
}

at::Tensor ContiguousCpu(const at::Tensor& t) { return t.detach().to(at::kCPU).contiguous(); }

Napi::Value DataSync(const Napi::CallbackInfo& info) {
  Args a(info);
  return ToTypedArray(a.env(), ContiguousCpu(a.Tensor(0, "tensor")));
}

// The device-to-host copy runs on libuv's pool; the TypedArray is built on the JS
// thread. The worker holds its own reference, so dispose() meanwhile is safe.
class DataWorker : public Napi::AsyncWorker {
 public:
  DataWorker(Napi::Env env, at::Tensor tensor)
      : Napi::AsyncWorker(env, "resnet-native:data"), tensor_(std::move(tensor)), deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      // clone() so later in-place changes on the JS thread cannot race with the copy out.
      result_ = ContiguousCpu(tensor_).clone();
    } catch (...) {
      // The same kind and cleaned message as the synchronous dataSync() would give.
      failed_ = true;
      std::tie(kind_, message_) = DescribeCurrentException();
    }
    tensor_.reset();
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (failed_) {
      deferred_.Reject(MakeError(env, kind_, message_).Value());
      return;
    }
    try {
      deferred_.Resolve(ToTypedArray(env, result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
    result_.reset();
  }

 private:
  at::Tensor tensor_;
  at::Tensor result_;
  bool failed_ = false;
  ErrorKind kind_ = ErrorKind::Torch;
  std::string message_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value DataAsync(const Napi::CallbackInfo& info) {
  Args a(info);
  auto* worker = new DataWorker(a.env(), a.Tensor(0, "tensor"));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  if (t.numel() != 1) {
    Throw(a.env(), ErrorKind::Shape,
          "item() needs a tensor with one element but this one has " + std::to_string(t.numel()));
  }
  at::Scalar s = at::_local_scalar_dense(t.detach());
  if (s.isBoolean()) return Napi::Boolean::New(a.env(), s.toBool());
  return Napi::Number::New(a.env(), s.toDouble());
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  auto sizes = t.sizes();
  Napi::Array out = Napi::Array::New(a.env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i)
    out.Set(i, Napi::Number::New(a.env(), static_cast<double>(sizes[i])));
  return out;
}

Napi::Value DType(const Napi::CallbackInfo& info) {
  Args a(info);
  const DTypeInfo* d = FindDType(a.Tensor(0, "tensor").scalar_type());
  return Napi::String::New(a.env(), d != nullptr ? d->name : "unknown");
}

Napi::Value Device(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "tensor");
  if (t.is_cuda()) return Napi::String::New(a.env(), "cuda:" + std::to_string(t.get_device()));
  return Napi::String::New(a.env(), "cpu");
}

// The name of the autograd node that made the tensor ("AddBackward0"), or null for a leaf or a
// tensor outside the graph: what PyTorch's repr shows as grad_fn=<...>.
Napi::Value GradFnName(const Napi::CallbackInfo& info) {
  Args a(info);
  const auto& fn = a.Tensor(0, "tensor").grad_fn();
  if (!fn) return a.env().Null();
  std::string name = fn->name();
  const size_t colons = name.rfind("::");
  if (colons != std::string::npos) name = name.substr(colons + 2);
  return Napi::String::New(a.env(), name);
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Args a(info);
  TensorHandle* handle = TensorHandle::TryUnwrap(a.env(), a[0]);
  if (handle == nullptr) a.Fail("tensor", "a Tensor", 0);
  handle->Release();
  return a.env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  Args a(info);
  TensorHandle* handle = TensorHandle::TryUnwrap(a.env(), a[0]);
  if (handle == nullptr) a.Fail("tensor", "a Tensor", 0);
  return Napi::Boolean::New(a.env(), handle->disposed());
}

}  // namespace

void RegisterReadback(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "dataSync", DataSync);
  Export(env, exports, "dataAsync", DataAsync);
  Export(env, exports, "item", Item);
  Export(env, exports, "shape", Shape, Policy::Query);
  Export(env, exports, "dtype", DType, Policy::Query);
  Export(env, exports, "device", Device, Policy::Query);
  Export(env, exports, "gradFnName", GradFnName, Policy::Query);
  Export(env, exports, "dispose", Dispose, Policy::Query);
  Export(env, exports, "isDisposed", IsDisposed, Policy::Query);
}

}  // namespace rn
