// One declaration per op. An op is a plain C++ kernel with typed arguments, registered once
// with Define<Kernel>(env, exports, "name", {"arg", ...}). From the kernel's signature follow:
//   - its argument reading (JavaScript values → C++, with the library's error messages),
//   - its native entry point (the exported function, errors turned into JavaScript errors),
//   - its capture record (native/capture.h): the same kernel called again in a replay, with
//     tensor arguments taken from the program's registers and per-call numbers from its inputs.
#pragma once
#include <ATen/core/Tensor.h>
#include <napi.h>

#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "args.h"
#include "busy.h"
#include "capture.h"
#include "devices.h"
#include "instance.h"
#include "op_args.h"

namespace rn {

// ---- results: to JavaScript, and into registers at capture and replay ----
[[noreturn]] void Diverged(const char* op);

template <typename R>
struct Result;  // values: not tensors, so a replay keeps nothing of them
template <>
struct Result<at::Tensor> {
  using Saved = std::pair<int, bool>;  // register, and whether the capture saw a tensor
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, at::Tensor r) {
    return Wrap(env, std::move(r));
  }
  static Saved Record(Recorder& rec, const at::Tensor& r) { return {rec.Write(r), r.defined()}; }
  static std::vector<int> Regs(const Saved& s) { return {s.first}; }
  static void Store(Frame& f, const Saved& s, at::Tensor r, const char* op) {
    // grad() may return a tensor at replay where the capture saw none: the JavaScript that
    // ran at capture took another branch, so the program no longer describes it.
    if (r.defined() != s.second) Diverged(op);
    f.regs[s.first] = std::move(r);
  }
};
template <>
struct Result<std::tuple<at::Tensor, at::Tensor>> {
  using Saved = std::pair<int, int>;
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, std::tuple<at::Tensor, at::Tensor> r) {
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Wrap(env, std::get<0>(r)));
    out.Set(1u, Wrap(env, std::get<1>(r)));
    return out;
  }
  static Saved Record(Recorder& rec, const std::tuple<at::Tensor, at::Tensor>& r) {
    return {rec.Write(std::get<0>(r)), rec.Write(std::get<1>(r))};
  }
  static std::vector<int> Regs(const Saved& s) { return {s.first, s.second}; }
  static void Store(Frame& f, const Saved& s, std::tuple<at::Tensor, at::Tensor> r, const char*) {
    f.regs[s.first] = std::get<0>(r);
    f.regs[s.second] = std::get<1>(r);
  }
};
template <>
struct Result<std::vector<at::Tensor>> {
  using Saved = std::vector<int>;
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, const std::vector<at::Tensor>& r) {
    Napi::Array out = Napi::Array::New(env, r.size());
    for (size_t i = 0; i < r.size(); ++i) out.Set(static_cast<uint32_t>(i), Wrap(env, r[i]));
    return out;
  }
  static Saved Record(Recorder& rec, const std::vector<at::Tensor>& r) {
    Saved s;
    for (const auto& t : r) s.push_back(rec.Write(t));
    return s;
  }
  static std::vector<int> Regs(const Saved& s) { return s; }
  static void Store(Frame& f, const Saved& s, const std::vector<at::Tensor>& r, const char* op) {
    if (r.size() != s.size()) Diverged(op);
    for (size_t i = 0; i < r.size(); ++i) f.regs[s[i]] = r[i];
  }
};
template <>
struct Result<InPlace> {
  using Saved = int;
  static Napi::Value ToJs(Napi::Env, const Napi::CallbackInfo& info, InPlace) { return info[0]; }
  static Saved Record(Recorder&, InPlace) { return 0; }
  static std::vector<int> Regs(Saved) { return {}; }  // Invoke names the first argument's
  static void Store(Frame&, Saved, InPlace, const char*) {}
};
template <typename V>
struct ValueResult {
  using Saved = int;
  static Saved Record(Recorder&, const V&) { return 0; }
  static std::vector<int> Regs(Saved) { return {}; }
  static void Store(Frame&, Saved, const V&, const char*) {}
};
template <>
struct Result<bool> : ValueResult<bool> {
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, bool r) {
    return Napi::Boolean::New(env, r);
  }
};
template <>
struct Result<double> : ValueResult<double> {
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, double r) {
    return Napi::Number::New(env, r);
  }
};
template <>
struct Result<std::vector<int64_t>> : ValueResult<std::vector<int64_t>> {
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, const std::vector<int64_t>& r) {
    Napi::Array out = Napi::Array::New(env, r.size());
    for (size_t i = 0; i < r.size(); ++i) out.Set(static_cast<uint32_t>(i), static_cast<double>(r[i]));
    return out;
  }
};
struct Nothing {};  // what a void kernel "returns"
template <>
struct Result<Nothing> : ValueResult<Nothing> {
  static Napi::Value ToJs(Napi::Env env, const Napi::CallbackInfo&, Nothing) { return env.Undefined(); }
};

// ---- the entry point ----
// Whether an op's tensor arguments must share one device (checked before the kernel runs, so
// a mix gives a DeviceError naming both), or may differ: copies between devices, and the CPU
// index tensors that advanced indexing accepts beside a CUDA tensor.
enum class Devices { Same, Any };

struct OpInfo {
  const char* name;
  Policy policy;
  std::vector<const char*> args;
  Devices devices;
};

template <typename F>
struct Signature;
template <typename R, typename... A>
struct Signature<R (*)(A...)> {
  using Ret = std::conditional_t<std::is_void_v<R>, Nothing, R>;
  using Values = std::tuple<std::decay_t<A>...>;
};

template <auto Kernel, typename Tuple, size_t... I>
auto Call(Tuple& args, std::index_sequence<I...>) {
  using Ret = typename Signature<decltype(Kernel)>::Ret;
  if constexpr (std::is_same_v<Ret, Nothing>) {
    Kernel(std::get<I>(args)...);
    return Nothing{};
  } else {
    return Kernel(std::get<I>(args)...);
  }
}

template <auto Kernel, size_t... I>
Napi::Value Invoke(const Napi::CallbackInfo& info, const OpInfo& op, std::index_sequence<I...> seq) {
  using Sig = Signature<decltype(Kernel)>;
  using Ret = typename Sig::Ret;
  using Values = typename Sig::Values;
  Napi::Env env = info.Env();
  Args a(info);
  Recorder* rec = GetInstance(env)->recorder.get();
  if (rec != nullptr && op.policy == Policy::Refuse) RefuseDuringCapture(env, op.name);
  Values args{Reader<std::tuple_element_t<I, Values>>::Read(a, I, op.args[I])...};
  if (op.devices == Devices::Same && sizeof...(I) > 1) {
    SameDevice same(op.name);
    (Captured<std::tuple_element_t<I, Values>>::Tensors(
         std::get<I>(args), [&](const at::Tensor& t) { same.See(t, op.args[I]); }),
     ...);
  }
  if (busy::Active()) {
    // A replay on the executor thread uses these tensors: wait until it is done rather than
    // change weights under it (or read what it is still writing).
    (Captured<std::tuple_element_t<I, Values>>::Tensors(
         std::get<I>(args),
         [&](const at::Tensor& t) { busy::WaitFor(t, I == 0 && std::is_same_v<Ret, InPlace>); }),
     ...);
  }
  Ret result = Call<Kernel>(args, seq);
  if (rec != nullptr && op.policy == Policy::Record) {
    auto saved = std::make_tuple(
        Captured<std::tuple_element_t<I, Values>>::Save(*rec, std::get<I>(args), DynamicSlot(a, I))...);
    auto outs = Result<Ret>::Record(*rec, result);
    std::vector<int> writes = Result<Ret>::Regs(outs);
    if constexpr (std::is_same_v<Ret, InPlace>) {
      MarkMutated(*rec, std::get<0>(saved));
      writes = WrittenRegs(std::get<0>(saved));
    }
    const char* name = op.name;
    rec->Add(name,
             [saved, outs, name](Frame& f) {
               Values loaded{Captured<std::tuple_element_t<I, Values>>::Load(f, std::get<I>(saved))...};
               Result<Ret>::Store(f, outs, Call<Kernel>(loaded, std::index_sequence<I...>{}), name);
             },
             std::move(writes), {Captured<std::tuple_element_t<I, Values>>::Describe(std::get<I>(saved))...});
  }
  return Result<Ret>::ToJs(env, info, std::move(result));
}

template <auto Kernel>
Napi::Value Entry(const Napi::CallbackInfo& info) {
  const auto& op = *static_cast<const OpInfo*>(info.Data());
  using Values = typename Signature<decltype(Kernel)>::Values;
  return Guarded(info.Env(), [&] {
    return Invoke<Kernel>(info, op, std::make_index_sequence<std::tuple_size_v<Values>>{});
  });
}

// Registers exports[name] for Kernel; `args` names its arguments for error messages.
template <auto Kernel>
void Define(Napi::Env env, Napi::Object exports, const char* name, std::initializer_list<const char*> args,
            Policy policy = Policy::Record, Devices devices = Devices::Same) {
  using Values = typename Signature<decltype(Kernel)>::Values;
  auto* op = new OpInfo{name, policy, args, devices};
  if (op->args.size() != std::tuple_size_v<Values>) {
    delete op;
    Throw(env, ErrorKind::Argument, std::string("internal: wrong argument names for ") + name);
  }
  env.AddCleanupHook([op] { delete op; });
  exports.Set(name, Napi::Function::New(env, Entry<Kernel>, name, op));
}

}  // namespace rn
