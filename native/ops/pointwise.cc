// Elementwise ops: unary math, binary arithmetic with broadcasting (tensor or number),
// comparisons, and the in-place forms that optimizers and initializers need.
#include <ATen/ops/abs.h>
#include <ATen/ops/add.h>
#include <ATen/ops/clamp.h>
#include <ATen/ops/div.h>
#include <ATen/ops/eq.h>
#include <ATen/ops/ge.h>
#include <ATen/ops/gt.h>
#include <ATen/ops/le.h>
#include <ATen/ops/lerp.h>
#include <ATen/ops/lt.h>
#include <ATen/ops/maximum.h>
#include <ATen/ops/minimum.h>
#include <ATen/ops/mul.h>
#include <ATen/ops/ne.h>
#include <ATen/ops/pow.h>
#include <ATen/ops/remainder.h>
#include <ATen/ops/sub.h>
#include <ATen/ops/where.h>

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

#define RN_UNARY(fn, expr)                         \
  Napi::Value fn(const Napi::CallbackInfo& info) { \
    Args a(info);                                  \
    const at::Tensor& t = a.Tensor(0, "input");    \
    return Wrap(a.env(), expr);                    \
  }

RN_UNARY(Neg, t.neg())
RN_UNARY(Exp, t.exp())
RN_UNARY(Log, t.log())
RN_UNARY(Log2, t.log2())
RN_UNARY(Log1p, t.log1p())
RN_UNARY(Expm1, t.expm1())
RN_UNARY(Sqrt, t.sqrt())
RN_UNARY(Rsqrt, t.rsqrt())
RN_UNARY(Abs, t.abs())
RN_UNARY(Sign, t.sign())
RN_UNARY(Sigmoid, t.sigmoid())
RN_UNARY(Tanh, t.tanh())
RN_UNARY(Relu, t.relu())
RN_UNARY(Floor, t.floor())
RN_UNARY(Ceil, t.ceil())
RN_UNARY(Round, t.round())
RN_UNARY(Reciprocal, t.reciprocal())
RN_UNARY(Square, t.square())
RN_UNARY(Sin, t.sin())
RN_UNARY(Cos, t.cos())
RN_UNARY(Erf, t.erf())
RN_UNARY(IsNan, t.isnan())
RN_UNARY(IsInf, t.isinf())
RN_UNARY(IsFinite, t.isfinite())
RN_UNARY(LogicalNot, t.logical_not())
#undef RN_UNARY

// Binary ops whose second operand may be a tensor or a number.
#define RN_BINARY(fn, op)                                                 \
  Napi::Value fn(const Napi::CallbackInfo& info) {                        \
    Args a(info);                                                         \
    const at::Tensor& t = a.Tensor(0, "input");                           \
    if (a.IsTensor(1)) return Wrap(a.env(), op(t, a.Tensor(1, "other"))); \
    return Wrap(a.env(), op(t, a.Scalar(1, "other")));                    \
  }

RN_BINARY(Mul, at::mul)
RN_BINARY(Div, at::div)
RN_BINARY(Pow, at::pow)
RN_BINARY(Remainder, at::remainder)
RN_BINARY(Eq, at::eq)
RN_BINARY(Ne, at::ne)
RN_BINARY(Lt, at::lt)
RN_BINARY(Le, at::le)
RN_BINARY(Gt, at::gt)
RN_BINARY(Ge, at::ge)
#undef RN_BINARY

// add/sub(input, other, alpha): input ± alpha * other.
#define RN_ALPHA(fn, op)                                                            \
  Napi::Value fn(const Napi::CallbackInfo& info) {                                  \
    Args a(info);                                                                   \
    const at::Tensor& t = a.Tensor(0, "input");                                     \
    const at::Scalar alpha = a.IsNullish(2) ? at::Scalar(1) : a.Scalar(2, "alpha"); \
    if (a.IsTensor(1)) return Wrap(a.env(), op(t, a.Tensor(1, "other"), alpha));    \
    return Wrap(a.env(), op(t, a.Scalar(1, "other"), alpha));                       \
  }
RN_ALPHA(Add, at::add)
RN_ALPHA(Sub, at::sub)
#undef RN_ALPHA

Napi::Value Maximum(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::maximum(a.Tensor(0, "input"), a.Tensor(1, "other")));
}

Napi::Value Minimum(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::minimum(a.Tensor(0, "input"), a.Tensor(1, "other")));
}

// clamp(input, min | null, max | null)
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1) && a.IsNullish(2)) a.Fail("min/max", "at least one bound", 1);
  if (a.IsNullish(2)) return Wrap(a.env(), t.clamp_min(a.Scalar(1, "min")));
  if (a.IsNullish(1)) return Wrap(a.env(), t.clamp_max(a.Scalar(2, "max")));
  return Wrap(a.env(), t.clamp(a.Scalar(1, "min"), a.Scalar(2, "max")));
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::where(a.Tensor(0, "condition"), a.Tensor(1, "input"), a.Tensor(2, "other")));
}

Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "input").masked_fill(a.Tensor(1, "mask"), a.Scalar(2, "value")));
}

// ---- in-place forms: they return their first argument (the same handle) ----

#define RN_INPLACE(fn, body)                       \
  Napi::Value fn(const Napi::CallbackInfo& info) { \
    Args a(info);                                  \
    at::Tensor t = a.Tensor(0, "input");           \
    body;                                          \
    return a[0];                                   \
  }

RN_INPLACE(AddInplace, {
  const at::Scalar alpha = a.IsNullish(2) ? at::Scalar(1) : a.Scalar(2, "alpha");
  if (a.IsTensor(1))
    t.add_(a.Tensor(1, "other"), alpha);
  else
    t.add_(a.Scalar(1, "other"), alpha);
})
RN_INPLACE(SubInplace, {
  const at::Scalar alpha = a.IsNullish(2) ? at::Scalar(1) : a.Scalar(2, "alpha");
  if (a.IsTensor(1))
    t.sub_(a.Tensor(1, "other"), alpha);
  else
    t.sub_(a.Scalar(1, "other"), alpha);
})
RN_INPLACE(MulInplace, {
  if (a.IsTensor(1))
    t.mul_(a.Tensor(1, "other"));
  else
    t.mul_(a.Scalar(1, "other"));
})
RN_INPLACE(DivInplace, {
  if (a.IsTensor(1))
    t.div_(a.Tensor(1, "other"));
  else
    t.div_(a.Scalar(1, "other"));
})
RN_INPLACE(CopyInplace, t.copy_(a.Tensor(1, "source")))
RN_INPLACE(FillInplace, t.fill_(a.Scalar(1, "value")))
RN_INPLACE(ZeroInplace, t.zero_())
RN_INPLACE(ReluInplace, t.relu_())
RN_INPLACE(SqrtInplace, t.sqrt_())
RN_INPLACE(UniformInplace, t.uniform_(a.Number(1, "from"), a.Number(2, "to")))
RN_INPLACE(NormalInplace, t.normal_(a.Number(1, "mean"), a.Number(2, "std")))
RN_INPLACE(ClampInplace, {
  if (a.IsNullish(2))
    t.clamp_min_(a.Scalar(1, "min"));
  else if (a.IsNullish(1))
    t.clamp_max_(a.Scalar(2, "max"));
  else
    t.clamp_(a.Scalar(1, "min"), a.Scalar(2, "max"));
})
RN_INPLACE(AddcmulInplace, t.addcmul_(a.Tensor(1, "tensor1"), a.Tensor(2, "tensor2"), a.Scalar(3, "value")))
RN_INPLACE(AddcdivInplace, t.addcdiv_(a.Tensor(1, "tensor1"), a.Tensor(2, "tensor2"), a.Scalar(3, "value")))
RN_INPLACE(LerpInplace, {
  if (a.IsTensor(2))
    t.lerp_(a.Tensor(1, "end"), a.Tensor(2, "weight"));
  else
    t.lerp_(a.Tensor(1, "end"), a.Scalar(2, "weight"));
})
RN_INPLACE(MaximumInplace, t.copy_(at::maximum(t, a.Tensor(1, "other"))))
#undef RN_INPLACE

}  // namespace

void RegisterPointwise(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, NativeFn> fns[] = {
      {"neg", Neg},
      {"exp", Exp},
      {"log", Log},
      {"log2", Log2},
      {"log1p", Log1p},
      {"expm1", Expm1},
      {"sqrt", Sqrt},
      {"rsqrt", Rsqrt},
      {"abs", Abs},
      {"sign", Sign},
      {"sigmoid", Sigmoid},
      {"tanh", Tanh},
      {"relu", Relu},
      {"floor", Floor},
      {"ceil", Ceil},
      {"round", Round},
      {"reciprocal", Reciprocal},
      {"square", Square},
      {"sin", Sin},
      {"cos", Cos},
      {"erf", Erf},
      {"isnan", IsNan},
      {"isinf", IsInf},
      {"isfinite", IsFinite},
      {"logicalNot", LogicalNot},
      {"add", Add},
      {"sub", Sub},
      {"mul", Mul},
      {"div", Div},
      {"pow", Pow},
      {"remainder", Remainder},
      {"eq", Eq},
      {"ne", Ne},
      {"lt", Lt},
      {"le", Le},
      {"gt", Gt},
      {"ge", Ge},
      {"maximum", Maximum},
      {"minimum", Minimum},
      {"clamp", Clamp},
      {"where", Where},
      {"maskedFill", MaskedFill},
      {"add_", AddInplace},
      {"sub_", SubInplace},
      {"mul_", MulInplace},
      {"div_", DivInplace},
      {"copy_", CopyInplace},
      {"fill_", FillInplace},
      {"zero_", ZeroInplace},
      {"relu_", ReluInplace},
      {"sqrt_", SqrtInplace},
      {"uniform_", UniformInplace},
      {"normal_", NormalInplace},
      {"clamp_", ClampInplace},
      {"addcmul_", AddcmulInplace},
      {"addcdiv_", AddcdivInplace},
      {"lerp_", LerpInplace},
      {"maximum_", MaximumInplace},
  };
  for (const auto& [name, fn] : fns) Export(env, exports, name, fn);
}

}  // namespace rn
