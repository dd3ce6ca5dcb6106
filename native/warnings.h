// libtorch's warnings (TORCH_WARN) become Node warnings, as PyTorch turns them into Python
// warnings. Without this, c10 hands them to glog, which writes "Logging before
// InitGoogleLogging()" and the message to stderr, where no JavaScript code can see or filter
// them. c10's warning handler is per thread: each thread that runs ops installs one.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

namespace rn {

// Installs, on the calling thread, the handler that keeps warnings for later emission.
void CollectWarnings();

namespace detail {
extern thread_local bool warnings_pending;
}

// The warnings kept on this thread since the last take (cleared).
std::vector<std::string> TakeWarnings();

// process.emitWarning(message, 'TorchWarning') for each.
void EmitWarnings(Napi::Env env, const std::vector<std::string>& warnings);

// Emits this thread's kept warnings (on the JavaScript thread, after a native call).
inline void FlushWarnings(Napi::Env env) {
  if (detail::warnings_pending) EmitWarnings(env, TakeWarnings());
}

}  // namespace rn
