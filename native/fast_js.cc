// The JavaScript side of the inference fast path: prepareInference turns a captured program
// into its fast form (native/fast_pass.h); runProgram replays a program on the calling
// thread, for Module.optimizeForInference's synchronous forward.
#include "args.h"
#include "busy.h"
#include "capture_js.h"
#include "fast_pass.h"

namespace rn {
namespace {

// prepareInference(program) → program (the same one when there is nothing to fuse).
Napi::Value PrepareInferenceJs(const Napi::CallbackInfo& info) {
  Args a(info);
  return WrapProgram(a.env(), PrepareInference(ProgramArg(a, 0)));
}

// runProgram(program, inputs) → handles, on this thread.
Napi::Value RunProgram(const Napi::CallbackInfo& info) {
  Args a(info);
  std::shared_ptr<const Program> p = ProgramArg(a, 0);
  std::vector<at::Tensor> inputs = a.TensorList(1, "inputs");
  if (busy::Active()) {
    // A replay on the executor thread may be changing these (a training step): wait for it.
    for (const auto& c : p->constants) busy::WaitFor(c.second, false);
  }
  std::vector<at::Tensor> outputs = p->Run(std::move(inputs), {});
  Napi::Array out = Napi::Array::New(a.env(), outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].defined()) {
      out.Set(static_cast<uint32_t>(i), Wrap(a.env(), outputs[i]));
    } else {
      out.Set(static_cast<uint32_t>(i), a.env().Null());
    }
  }
  return out;
}

}  // namespace

void RegisterFast(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "prepareInference", PrepareInferenceJs, Policy::Query);
  Export(env, exports, "runProgram", RunProgram, Policy::Refuse);
}

}  // namespace rn
