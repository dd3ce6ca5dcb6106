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

struct ExportInfo {
  NativeFn fn;
  Policy policy;
  const char* name;
};

Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  const auto* exported = static_cast<const ExportInfo*>(info.Data());
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    if (exported->policy == Policy::Refuse) RefuseDuringCapture(env, exported->name);
    return exported->fn(info);
  });
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

std::pair<ErrorKind, std::string> DescribeCurrentException() {
  try {
    throw;
  } catch (const OpError& e) {
    return {e.kind, e.what()};
  } catch (const c10::Error& e) {
    return {ErrorKind::Torch, CleanTorchMessage(e.what_without_backtrace())};
  } catch (const std::exception& e) {
    return {ErrorKind::Torch, e.what()};
  } catch (...) {
    return {ErrorKind::Torch, "unknown native error"};
  }
}

void RefuseDuringCapture(Napi::Env env, const char* name) {
  InstanceData* data = GetInstance(env);
  if (data == nullptr || data->recorder == nullptr) return;
  Throw(
      env, ErrorKind::Argument,
      std::string("Cannot capture ") + name +
          "(): it reads tensor values into JavaScript or changes process state, so a replay of the "
          "captured program could not reproduce it. Keep such calls out of forward() and the training step");
}

void Export(Napi::Env env, Napi::Object exports, const char* name, NativeFn fn, Policy policy) {
  // One record per export and environment, freed with the environment.
  auto* info = new ExportInfo{fn, policy, name};
  env.AddCleanupHook([info] { delete info; });
  exports.Set(name, Napi::Function::New(env, Trampoline, name, info));
}

}  // namespace rn
