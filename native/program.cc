// JS side of compiled programs: parsing instructions, and running them synchronously or
// on libuv's pool. Instructions come from lib/nn/compile.ts as uniform arrays:
//   [op, src, src2, dst, tensors (Tensor | null)[], intLists number[][], scalars number[], numbers number[]]
#include "program.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <memory>
#include <string>

#include "args.h"
#include "instance.h"

namespace rn {
namespace {

struct OpSpec {
  const char* name;
  OpCode op;
  size_t tensors, ints, scalars;
  bool binary;
  size_t numbers;
};

constexpr OpSpec kOps[] = {
    {"conv2d", OpCode::Conv2d, 2, 3, 1, false, 0},
    {"batchNorm", OpCode::BatchNorm, 4, 0, 1, false, 2},
    {"relu", OpCode::Relu, 0, 0, 0, false, 0},
    {"maxPool2d", OpCode::MaxPool2d, 0, 4, 1, false, 0},
    {"avgPool2d", OpCode::AvgPool2d, 0, 3, 2, false, 0},
    {"adaptiveAvgPool2d", OpCode::AdaptiveAvgPool2d, 0, 1, 0, false, 0},
    {"flatten", OpCode::Flatten, 0, 0, 2, false, 0},
    {"linear", OpCode::Linear, 2, 0, 0, false, 0},
    {"add", OpCode::Add, 0, 0, 0, true, 0},
    {"slice", OpCode::Slice, 0, 0, 4, false, 0},
    {"pad", OpCode::Pad, 0, 1, 0, false, 1},
};

[[noreturn]] void Bad(Napi::Env env, size_t index, const std::string& what) {
  Throw(env, ErrorKind::Argument, "Invalid program instruction " + std::to_string(index) + ": " + what);
}

std::vector<int64_t> IntArray(Napi::Env env, size_t index, const Napi::Value& v) {
  if (!v.IsArray()) Bad(env, index, "expected an array of integers");
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value e = arr.Get(k);
    if (!e.IsNumber()) Bad(env, index, "expected an array of integers");
    out[k] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

Instruction Parse(Napi::Env env, size_t index, const Napi::Value& value, int registers) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 8)
    Bad(env, index, "expected an array of 8 fields");
  Napi::Array f = value.As<Napi::Array>();
  const std::string name = f.Get(0u).IsString() ? f.Get(0u).As<Napi::String>().Utf8Value() : "";
  const OpSpec* spec = nullptr;
  for (const auto& s : kOps) {
    if (name == s.name) spec = &s;
  }
  if (spec == nullptr) Bad(env, index, "unknown op '" + name + "'");
  Instruction in;
  in.op = spec->op;
  const auto reg = [&](uint32_t k, bool optional) {
    Napi::Value v = f.Get(k);
    if (optional && v.IsNull()) return -1;
    const int64_t r = v.IsNumber() ? v.As<Napi::Number>().Int64Value() : -2;
    if (r < 0 || r >= registers) Bad(env, index, "register out of range");
    return static_cast<int>(r);
  };
  in.src = reg(1, false);
  in.src2 = reg(2, !spec->binary);
  in.dst = reg(3, false);
  Napi::Value tensors = f.Get(4u);
  if (!tensors.IsArray() || tensors.As<Napi::Array>().Length() != spec->tensors)
    Bad(env, index, "wrong tensors");
  for (uint32_t k = 0; k < spec->tensors; ++k) {
    Napi::Value t = tensors.As<Napi::Array>().Get(k);
    in.tensors.push_back(t.IsNull() ? at::Tensor() : TensorHandle::From(env, t, "program tensor"));
  }
  Napi::Value ints = f.Get(5u);
  if (!ints.IsArray() || ints.As<Napi::Array>().Length() != spec->ints) Bad(env, index, "wrong int lists");
  for (uint32_t k = 0; k < spec->ints; ++k)
    in.ints.push_back(IntArray(env, index, ints.As<Napi::Array>().Get(k)));
  in.scalars = IntArray(env, index, f.Get(6u));
  if (in.scalars.size() != spec->scalars) Bad(env, index, "wrong scalars");
  Napi::Value numbers = f.Get(7u);
  if (!numbers.IsArray() || numbers.As<Napi::Array>().Length() != spec->numbers)
    Bad(env, index, "wrong numbers");
  for (uint32_t k = 0; k < spec->numbers; ++k) {
    Napi::Value v = numbers.As<Napi::Array>().Get(k);
    if (!v.IsNumber()) Bad(env, index, "expected numbers");
    in.numbers.push_back(v.As<Napi::Number>().DoubleValue());
  }
  return in;
}

class ProgramHandle : public Napi::ObjectWrap<ProgramHandle> {
 public:
  static Napi::Function Define(Napi::Env env) { return DefineClass(env, "ProgramHandle", {}); }
  explicit ProgramHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProgramHandle>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      Throw(info.Env(), ErrorKind::Argument, "ProgramHandle is created by compileProgram");
    }
    program_ = *info[0].As<Napi::External<std::shared_ptr<const Program>>>().Data();
  }
  std::shared_ptr<const Program> program_;
};

// The constructor lives with the rest of the per-environment state.
Napi::FunctionReference& ProgramCtor(Napi::Env env) { return GetInstance(env)->program_ctor; }

std::shared_ptr<const Program> ProgramArg(const Args& a, size_t i) {
  Napi::Value v = a[i];
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ProgramCtor(a.env()).Value())) {
    a.Fail("program", "a compiled program", i);
  }
  return ProgramHandle::Unwrap(v.As<Napi::Object>())->program_;
}

// compileProgram(instructions, registers, output) → ProgramHandle
Napi::Value CompileProgram(const Napi::CallbackInfo& info) {
  Args a(info);
  if (!a[0].IsArray()) a.Fail("instructions", "an array", 0);
  auto program = std::make_shared<Program>();
  program->registers = static_cast<int>(a.Int(1, "registers"));
  if (program->registers < 1 || program->registers > 1000000) a.Fail("registers", "a positive count", 1);
  program->output = static_cast<int>(a.Int(2, "output"));
  if (program->output < 0 || program->output >= program->registers) a.Fail("output", "a register", 2);
  Napi::Array list = a[0].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i)
    program->code.push_back(Parse(a.env(), i, list.Get(i), program->registers));
  // Liveness: free each register after its last read (never the output).
  std::vector<int> last(program->registers, -1);
  for (size_t i = 0; i < program->code.size(); ++i) {
    last[program->code[i].src] = static_cast<int>(i);
    if (program->code[i].src2 >= 0) last[program->code[i].src2] = static_cast<int>(i);
  }
  program->frees.resize(program->code.size());
  for (int r = 0; r < program->registers; ++r) {
    if (last[r] >= 0 && r != program->output) program->frees[last[r]].push_back(r);
  }
  std::shared_ptr<const Program> shared = program;
  auto external = Napi::External<std::shared_ptr<const Program>>::New(a.env(), &shared);
  return ProgramCtor(a.env()).New({external});
}

Napi::Value RunProgramSync(const Napi::CallbackInfo& info) {
  Args a(info);
  auto program = ProgramArg(a, 0);
  const at::Tensor& input = a.Tensor(1, "input");
  at::NoGradGuard no_grad;
  return Wrap(a.env(), program->Run(input));
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<const Program> program, at::Tensor input)
      : Napi::AsyncWorker(env, "resnet-native:forward"),
        program_(std::move(program)),
        input_(std::move(input)),
        threads_(at::get_num_threads()),
        deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      // OpenMP's thread count is per thread: give this pool thread the process setting.
      at::set_num_threads(threads_);
      at::NoGradGuard no_grad;
      result_ = program_->Run(input_);
    } catch (const c10::Error& e) {
      error_ = e.what_without_backtrace();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    input_.reset();
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!error_.empty()) {
      deferred_.Reject(MakeError(env, ErrorKind::Torch, error_).Value());
    } else {
      deferred_.Resolve(Wrap(env, result_));
    }
    result_.reset();
  }

 private:
  std::shared_ptr<const Program> program_;
  at::Tensor input_;
  at::Tensor result_;
  int threads_;
  std::string error_;
  Napi::Promise::Deferred deferred_;
};

// runProgram(program, input) → Promise<handle>; holds its own references to the program's
// tensors and the input, so dispose() on the JS side during the run is safe.
Napi::Value RunProgram(const Napi::CallbackInfo& info) {
  Args a(info);
  auto* worker = new RunWorker(a.env(), ProgramArg(a, 0), a.Tensor(1, "input"));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void RegisterProgram(Napi::Env env, Napi::Object exports) {
  GetInstance(env)->program_ctor = Napi::Persistent(ProgramHandle::Define(env));
  Export(env, exports, "compileProgram", CompileProgram);
  Export(env, exports, "runProgramSync", RunProgramSync);
  Export(env, exports, "runProgram", RunProgram);
}

}  // namespace rn
