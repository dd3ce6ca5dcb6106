#include "warnings.h"

#include <c10/util/Exception.h>
#include <torch/version.h>

namespace rn {
namespace detail {
thread_local bool warnings_pending = false;
}

namespace {

thread_local std::vector<std::string> kept;

void Keep(const std::string& message) {
  kept.push_back(message);
  detail::warnings_pending = true;
}

// c10's handler interface changed in 2.0: one Warning argument instead of three.
class KeepingHandler : public c10::WarningHandler {
 public:
#if TORCH_VERSION_MAJOR >= 2
  void process(const c10::Warning& warning) override { Keep(warning.msg()); }
#else
  void process(const c10::SourceLocation&, const std::string& message, const bool) override { Keep(message); }
#endif
};

}  // namespace

void CollectWarnings() {
  static KeepingHandler handler;  // stateless: one instance serves every thread
#if TORCH_VERSION_MAJOR >= 2
  c10::WarningUtils::set_warning_handler(&handler);
#else
  c10::Warning::set_warning_handler(&handler);
#endif
}

std::vector<std::string> TakeWarnings() {
  std::vector<std::string> out;
  out.swap(kept);
  detail::warnings_pending = false;
  return out;
}

void EmitWarnings(Napi::Env env, const std::vector<std::string>& warnings) {
  if (warnings.empty()) return;
  Napi::Object process = env.Global().Get("process").As<Napi::Object>();
  Napi::Function emit = process.Get("emitWarning").As<Napi::Function>();
  for (const std::string& message : warnings)
    emit.Call(process, {Napi::String::New(env, message), Napi::String::New(env, "TorchWarning")});
}

}  // namespace rn
