// The JavaScript side of capture: beginCapture / endCapture / abortCapture, and the handle
// that owns a captured program.
#include "capture_js.h"

#include "args.h"
#include "instance.h"

namespace rn {
namespace {

class ProgramHandle : public Napi::ObjectWrap<ProgramHandle> {
 public:
  static Napi::Function Define(Napi::Env env) { return DefineClass(env, "ProgramHandle", {}); }
  explicit ProgramHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProgramHandle>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      Throw(info.Env(), ErrorKind::Argument, "ProgramHandle is created by endCapture");
    program_ = *info[0].As<Napi::External<std::shared_ptr<const Program>>>().Data();
  }
  std::shared_ptr<const Program> program_;
};

// beginCapture(inputs, numbers): records every declared op until endCapture.
Napi::Value BeginCapture(const Napi::CallbackInfo& info) {
  Args a(info);
  InstanceData* data = GetInstance(a.env());
  if (data->recorder != nullptr)
    Throw(a.env(), ErrorKind::Argument, "A capture is already recording: captures cannot nest");
  const int64_t numbers = a.Int(1, "numbers");
  if (numbers < 0 || numbers > 1000000) a.Fail("numbers", "a count of per-call numbers", 1);
  data->recorder = std::make_unique<Recorder>(a.TensorList(0, "inputs"), static_cast<int>(numbers));
  return a.env().Undefined();
}

// endCapture(outputs, numbers | null) → ProgramHandle; `numbers` is how many per-call numbers a
// replay takes (default: the count given to beginCapture).
Napi::Value EndCapture(const Napi::CallbackInfo& info) {
  Args a(info);
  InstanceData* data = GetInstance(a.env());
  if (data->recorder == nullptr) Throw(a.env(), ErrorKind::Argument, "No capture is recording");
  std::unique_ptr<Recorder> rec = std::move(data->recorder);
  const int64_t numbers = a.IsNullish(1) ? rec->numbers() : a.Int(1, "numbers");
  if (numbers < rec->used_numbers() || numbers > rec->numbers())
    Throw(a.env(), ErrorKind::Argument,
          "Expected between " + std::to_string(rec->used_numbers()) + " and " +
              std::to_string(rec->numbers()) + " per-call numbers for the program but received " +
              std::to_string(numbers));
  return WrapProgram(a.env(), rec->Finish(a.TensorList(0, "outputs"), static_cast<int>(numbers)));
}

Napi::Value AbortCapture(const Napi::CallbackInfo& info) {
  GetInstance(info.Env())->recorder.reset();
  return info.Env().Undefined();
}

Napi::Value IsCapturing(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), GetInstance(info.Env())->recorder != nullptr);
}

// programInfo(program) → { steps, constants, inputs, numbers }, for tests and diagnostics.
Napi::Value ProgramInfo(const Napi::CallbackInfo& info) {
  Args a(info);
  std::shared_ptr<const Program> p = ProgramArg(a, 0);
  Napi::Object out = Napi::Object::New(a.env());
  Napi::Array steps = Napi::Array::New(a.env(), p->steps.size());
  for (size_t i = 0; i < p->steps.size(); ++i) steps.Set(static_cast<uint32_t>(i), p->steps[i].name);
  out.Set("steps", steps);
  out.Set("constants", static_cast<double>(p->constants.size()));
  out.Set("inputs", static_cast<double>(p->inputs.size()));
  out.Set("numbers", static_cast<double>(p->numbers));
  return out;
}

// disposeProgram(program): drops the program's hold on its tensors now (replays already
// queued keep their own reference until they finish).
Napi::Value DisposeProgram(const Napi::CallbackInfo& info) {
  Args a(info);
  ProgramArg(a, 0);
  ProgramHandle::Unwrap(a[0].As<Napi::Object>())->program_.reset();
  return a.env().Undefined();
}

}  // namespace

std::shared_ptr<const Program> ProgramArg(const Args& a, size_t i) {
  Napi::Value v = a[i];
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(GetInstance(a.env())->program_ctor.Value()))
    a.Fail("program", "a captured program", i);
  std::shared_ptr<const Program> p = ProgramHandle::Unwrap(v.As<Napi::Object>())->program_;
  if (p == nullptr) Throw(a.env(), ErrorKind::Disposed, "The captured program was disposed");
  return p;
}

Napi::Value WrapProgram(Napi::Env env, std::shared_ptr<const Program> p) {
  auto external = Napi::External<std::shared_ptr<const Program>>::New(env, &p);
  return GetInstance(env)->program_ctor.New({external});
}

void RegisterCapture(Napi::Env env, Napi::Object exports) {
  GetInstance(env)->program_ctor = Napi::Persistent(ProgramHandle::Define(env));
  Export(env, exports, "beginCapture", BeginCapture, Policy::Query);
  Export(env, exports, "endCapture", EndCapture, Policy::Query);
  Export(env, exports, "abortCapture", AbortCapture, Policy::Query);
  Export(env, exports, "isCapturing", IsCapturing, Policy::Query);
  Export(env, exports, "programInfo", ProgramInfo, Policy::Query);
  Export(env, exports, "disposeProgram", DisposeProgram, Policy::Query);
}

}  // namespace rn
