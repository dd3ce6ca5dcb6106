#include "errors.h"

#include <c10/util/Exception.h>

#include "instance.h"

namespace rn {
namespace {

const char* KindKey(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Argument:
      return "ArgumentError";
    case ErrorKind::Shape:
      return "ShapeError";
    case ErrorKind::DType:
      return "DTypeError";
    case ErrorKind::Disposed:
      return "DisposedError";
    case ErrorKind::Device:
      return "DeviceError";
    case ErrorKind::Torch:
      break;
  }
  return "TorchError";
}

// libtorch messages end with a newline and sometimes a C++ source location; keep the
// message a PyTorch user would see.
std::string CleanTorchMessage(const char* raw) {
  std::string msg(raw);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  auto fn = reinterpret_cast<NativeFn>(info.Data());
  Napi::Env env = info.Env();
  try {
    return fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw MakeError(env, ErrorKind::Torch, CleanTorchMessage(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw MakeError(env, ErrorKind::Torch, e.what());
  }
}

}  // namespace

Napi::Error MakeError(Napi::Env env, ErrorKind kind, const std::string& message) {
  InstanceData* data = GetInstance(env);
  if (data != nullptr && !data->error_classes.IsEmpty()) {
    Napi::Value ctor = data->error_classes.Value().Get(KindKey(kind));
    if (ctor.IsFunction()) {
      Napi::Object err = ctor.As<Napi::Function>().New({Napi::String::New(env, message)});
      return Napi::Error(env, err);
    }
  }
  if (kind == ErrorKind::Argument) return Napi::TypeError::New(env, message);
  return Napi::Error::New(env, message);
}

std::string DescribeValue(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_boolean:
      return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number:
      return Napi::Value(value).ToString().Utf8Value() + " of type number";
    case napi_string: {
      std::string s = value.As<Napi::String>().Utf8Value();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "\"" + s + "\" of type string";
    }
    case napi_bigint:
      return "a bigint";
    case napi_function:
      return "a function";
    case napi_object:
      return value.IsArray() ? "an array" : "an object";
    default:
      return "a value of another type";
  }
}

void Export(Napi::Env env, Napi::Object exports, const char* name, NativeFn fn) {
  exports.Set(name, Napi::Function::New(env, Trampoline, name, reinterpret_cast<void*>(fn)));
}

}  // namespace rn
