// The argument side of an op declaration (native/op.h): the argument kinds beyond plain C++
// types, how each is read from JavaScript (Reader), and how it is kept in a capture record and
// given back at replay (Captured), tensors becoming program registers.
#pragma once
#include <ATen/core/Tensor.h>
#include <napi.h>

#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "capture.h"

namespace rn {

// ---- argument kinds beyond plain C++ types ----
struct MaybeTensor {  // Tensor | null
  at::Tensor t;
};
struct TensorOrScalar {  // Tensor | number | boolean
  at::Tensor t;
  at::Scalar s;
};
struct MaybeScalar {  // number | null
  bool has = false;
  at::Scalar s;
};
struct MaybeInt {  // integer | null
  bool has = false;
  int64_t v = 0;
};
struct MaybeInts {  // integer[] | null
  bool has = false;
  std::vector<int64_t> v;
};
// One number per tensor of a foreach op (a bias correction per parameter), each a plain number
// or a per-call number (below) whose slot a replay reads.
struct ScalarList {
  std::vector<at::Scalar> values;
  std::vector<int> slots;  // -1 where the number is fixed
};
// The result of an op that changes its first argument in place: JavaScript gets the same handle.
struct InPlace {};

// A number that changes between replays (a learning rate, a bias correction): during a
// capture JavaScript passes { dynamicSlot, value }; the replay reads numbers[dynamicSlot].
int DynamicSlot(const Args& a, size_t i);
double DynamicValue(const Args& a, size_t i, const char* name);
ScalarList ReadScalarList(const Args& a, size_t i, const char* name);

// ---- reading ----
template <typename T>
struct Reader;
template <>
struct Reader<at::Tensor> {
  static at::Tensor Read(const Args& a, size_t i, const char* n) { return a.Tensor(i, n); }
};
template <>
struct Reader<MaybeTensor> {
  static MaybeTensor Read(const Args& a, size_t i, const char* n) { return {a.OptionalTensor(i, n)}; }
};
template <>
struct Reader<std::vector<at::Tensor>> {
  static std::vector<at::Tensor> Read(const Args& a, size_t i, const char* n) { return a.TensorList(i, n); }
};
template <>
struct Reader<at::Scalar> {
  static at::Scalar Read(const Args& a, size_t i, const char* n) {
    return a[i].IsObject() ? ScalarFromNumber(DynamicValue(a, i, n)) : a.Scalar(i, n);
  }
};
template <>
struct Reader<TensorOrScalar> {
  static TensorOrScalar Read(const Args& a, size_t i, const char* n) {
    if (a.IsTensor(i)) return {a.Tensor(i, n), at::Scalar()};
    return {at::Tensor(), Reader<at::Scalar>::Read(a, i, n)};
  }
};
template <>
struct Reader<MaybeScalar> {
  static MaybeScalar Read(const Args& a, size_t i, const char* n) {
    if (a.IsNullish(i)) return {};
    return {true, Reader<at::Scalar>::Read(a, i, n)};
  }
};
template <>
struct Reader<double> {
  static double Read(const Args& a, size_t i, const char* n) {
    return a[i].IsObject() ? DynamicValue(a, i, n) : a.Number(i, n);
  }
};
template <>
struct Reader<int64_t> {
  static int64_t Read(const Args& a, size_t i, const char* n) { return a.Int(i, n); }
};
template <>
struct Reader<MaybeInt> {
  static MaybeInt Read(const Args& a, size_t i, const char* n) {
    return a.IsNullish(i) ? MaybeInt{} : MaybeInt{true, a.Int(i, n)};
  }
};
template <>
struct Reader<bool> {
  static bool Read(const Args& a, size_t i, const char* n) { return a.Bool(i, n); }
};
template <>
struct Reader<std::string> {
  static std::string Read(const Args& a, size_t i, const char* n) { return a.String(i, n); }
};
template <>
struct Reader<std::vector<int64_t>> {
  static std::vector<int64_t> Read(const Args& a, size_t i, const char* n) { return a.IntList(i, n); }
};
template <>
struct Reader<MaybeInts> {
  static MaybeInts Read(const Args& a, size_t i, const char* n) {
    return a.IsNullish(i) ? MaybeInts{} : MaybeInts{true, a.IntList(i, n)};
  }
};
template <>
struct Reader<ScalarList> {
  static ScalarList Read(const Args& a, size_t i, const char* n) { return ReadScalarList(a, i, n); }
};
template <>
struct Reader<at::ScalarType> {
  static at::ScalarType Read(const Args& a, size_t i, const char* n) { return a.DType(i, n); }
};
template <>
struct Reader<at::Device> {
  static at::Device Read(const Args& a, size_t i, const char* n) { return a.Device(i, n); }
};

// ---- what program passes see of a saved argument (StepArg, native/capture.h) ----
template <typename T>
StepArg DescribeArg(const T&) {
  return {};
}
inline StepArg DescribeArg(int64_t v) { return {StepArg::Kind::Int, v, 0, {}}; }
inline StepArg DescribeArg(bool v) { return {StepArg::Kind::Bool, v ? 1 : 0, 0, {}}; }
inline StepArg DescribeArg(const std::vector<int64_t>& v) { return {StepArg::Kind::Ints, 0, 0, v}; }
inline StepArg DescribeArg(const MaybeInt& v) {
  return v.has ? DescribeArg(v.v) : StepArg{StepArg::Kind::None, 0, 0, {}};
}
inline StepArg DescribeArg(const MaybeInts& v) {
  return v.has ? DescribeArg(v.v) : StepArg{StepArg::Kind::None, 0, 0, {}};
}
inline StepArg DescribeReg(int reg) {
  return reg < 0 ? StepArg{StepArg::Kind::None, 0, 0, {}} : StepArg{StepArg::Kind::Reg, reg, 0, {}};
}
// A number fixed at capture is Real; one read per call from a dynamic slot is Other.
inline StepArg DescribeNumber(double v, int slot) {
  return slot < 0 ? StepArg{StepArg::Kind::Real, 0, v, {}} : StepArg{};
}

// ---- capturing arguments: Save at capture, Load at replay; Tensors visits tensor arguments ----
template <typename T>
struct Captured {  // plain values are kept as they are
  using Saved = T;
  static Saved Save(Recorder&, const T& v, int) { return v; }
  static T Load(const Frame&, const Saved& s) { return s; }
  static StepArg Describe(const Saved& s) { return DescribeArg(s); }
  template <typename F>
  static void Tensors(const T&, F&&) {}
};
template <>
struct Captured<at::Tensor> {
  using Saved = int;
  static Saved Save(Recorder& r, const at::Tensor& t, int) { return r.Read(t); }
  static at::Tensor Load(const Frame& f, Saved s) { return f.regs[s]; }
  static StepArg Describe(Saved s) { return DescribeReg(s); }
  template <typename F>
  static void Tensors(const at::Tensor& t, F&& f) {
    f(t);
  }
};
template <>
struct Captured<MaybeTensor> {
  using Saved = int;
  static Saved Save(Recorder& r, const MaybeTensor& t, int) { return t.t.defined() ? r.Read(t.t) : -1; }
  static MaybeTensor Load(const Frame& f, Saved s) { return {s < 0 ? at::Tensor() : f.regs[s]}; }
  static StepArg Describe(Saved s) { return DescribeReg(s); }
  template <typename F>
  static void Tensors(const MaybeTensor& t, F&& f) {
    if (t.t.defined()) f(t.t);
  }
};
template <>
struct Captured<std::vector<at::Tensor>> {
  using Saved = std::vector<int>;
  static Saved Save(Recorder& r, const std::vector<at::Tensor>& ts, int) {
    Saved s;
    for (const auto& t : ts) s.push_back(r.Read(t));
    return s;
  }
  static std::vector<at::Tensor> Load(const Frame& f, const Saved& s) {
    std::vector<at::Tensor> ts;
    for (int r : s) ts.push_back(f.regs[r]);
    return ts;
  }
  static StepArg Describe(const Saved& s) { return {StepArg::Kind::Regs, 0, 0, {s.begin(), s.end()}}; }
  template <typename F>
  static void Tensors(const std::vector<at::Tensor>& ts, F&& f) {
    for (const auto& t : ts) f(t);
  }
};
template <>
struct Captured<at::Scalar> {
  using Saved = std::pair<at::Scalar, int>;
  static Saved Save(Recorder&, const at::Scalar& v, int slot) { return {v, slot}; }
  static at::Scalar Load(const Frame& f, const Saved& s) {
    return s.second < 0 ? s.first : ScalarFromNumber((*f.numbers)[s.second]);
  }
  static StepArg Describe(const Saved& s) { return DescribeNumber(s.first.toDouble(), s.second); }
  template <typename F>
  static void Tensors(const at::Scalar&, F&&) {}
};
template <>
struct Captured<double> {
  using Saved = std::pair<double, int>;
  static Saved Save(Recorder&, double v, int slot) { return {v, slot}; }
  static double Load(const Frame& f, const Saved& s) {
    return s.second < 0 ? s.first : (*f.numbers)[s.second];
  }
  static StepArg Describe(const Saved& s) { return DescribeNumber(s.first, s.second); }
  template <typename F>
  static void Tensors(double, F&&) {}
};
template <>
struct Captured<TensorOrScalar> {
  using Saved = std::pair<int, Captured<at::Scalar>::Saved>;
  static Saved Save(Recorder& r, const TensorOrScalar& v, int slot) {
    return {v.t.defined() ? r.Read(v.t) : -1, {v.s, slot}};
  }
  static TensorOrScalar Load(const Frame& f, const Saved& s) {
    if (s.first >= 0) return {f.regs[s.first], at::Scalar()};
    return {at::Tensor(), Captured<at::Scalar>::Load(f, s.second)};
  }
  static StepArg Describe(const Saved& s) {
    return s.first >= 0 ? DescribeReg(s.first) : Captured<at::Scalar>::Describe(s.second);
  }
  template <typename F>
  static void Tensors(const TensorOrScalar& v, F&& f) {
    if (v.t.defined()) f(v.t);
  }
};
template <>
struct Captured<MaybeScalar> {
  using Saved = std::pair<MaybeScalar, int>;
  static Saved Save(Recorder&, const MaybeScalar& v, int slot) { return {v, slot}; }
  static MaybeScalar Load(const Frame& f, const Saved& s) {
    if (!s.first.has || s.second < 0) return s.first;
    return {true, ScalarFromNumber((*f.numbers)[s.second])};
  }
  static StepArg Describe(const Saved& s) {
    return s.first.has ? DescribeNumber(s.first.s.toDouble(), s.second) : DescribeReg(-1);
  }
  template <typename F>
  static void Tensors(const MaybeScalar&, F&&) {}
};

template <>
struct Captured<ScalarList> {
  using Saved = ScalarList;
  static Saved Save(Recorder&, const ScalarList& v, int) { return v; }
  static ScalarList Load(const Frame& f, const Saved& s) {
    ScalarList out = s;
    for (size_t k = 0; k < s.slots.size(); ++k)
      if (s.slots[k] >= 0) out.values[k] = ScalarFromNumber((*f.numbers)[s.slots[k]]);
    return out;
  }
  // Per-parameter numbers of a foreach op: nothing a program pass rewrites.
  static StepArg Describe(const Saved&) { return {}; }
  template <typename F>
  static void Tensors(const ScalarList&, F&&) {}
};

// An in-place op marks what it changes: one register, or each of a foreach op's list.
inline void MarkMutated(Recorder& rec, int reg) { rec.Mutated(reg); }
inline void MarkMutated(Recorder& rec, const std::vector<int>& regs) {
  for (int r : regs) rec.Mutated(r);
}
// The registers an in-place op writes (what a step exposes to the inference passes).
inline std::vector<int> WrittenRegs(int reg) { return {reg}; }
inline std::vector<int> WrittenRegs(const std::vector<int>& regs) { return regs; }

}  // namespace rn
