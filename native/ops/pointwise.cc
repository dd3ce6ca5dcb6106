// Elementwise ops: unary math, binary arithmetic with broadcasting (tensor or number),
// comparisons, and the in-place forms that optimizers and initializers need.
#include <ATen/ops/abs.h>
#include <ATen/ops/add.h>
#include <ATen/ops/allclose.h>
#include <ATen/ops/clamp.h>
#include <ATen/ops/div.h>
#include <ATen/ops/eq.h>
#include <ATen/ops/ge.h>
#include <ATen/ops/gt.h>
#include <ATen/ops/isclose.h>
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

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

at::Tensor Neg(const at::Tensor& t) { return t.neg(); }
at::Tensor Exp(const at::Tensor& t) { return t.exp(); }
at::Tensor Log(const at::Tensor& t) { return t.log(); }
at::Tensor Log2(const at::Tensor& t) { return t.log2(); }
at::Tensor Log1p(const at::Tensor& t) { return t.log1p(); }
at::Tensor Expm1(const at::Tensor& t) { return t.expm1(); }
at::Tensor Sqrt(const at::Tensor& t) { return t.sqrt(); }
at::Tensor Rsqrt(const at::Tensor& t) { return t.rsqrt(); }
at::Tensor Abs(const at::Tensor& t) { return t.abs(); }
at::Tensor Sign(const at::Tensor& t) { return t.sign(); }
at::Tensor Sigmoid(const at::Tensor& t) { return t.sigmoid(); }
at::Tensor Tanh(const at::Tensor& t) { return t.tanh(); }
at::Tensor Relu(const at::Tensor& t) { return t.relu(); }
at::Tensor Floor(const at::Tensor& t) { return t.floor(); }
at::Tensor Ceil(const at::Tensor& t) { return t.ceil(); }
at::Tensor Round(const at::Tensor& t) { return t.round(); }
at::Tensor Reciprocal(const at::Tensor& t) { return t.reciprocal(); }
at::Tensor Square(const at::Tensor& t) { return t.square(); }
at::Tensor Sin(const at::Tensor& t) { return t.sin(); }
at::Tensor Cos(const at::Tensor& t) { return t.cos(); }
at::Tensor Erf(const at::Tensor& t) { return t.erf(); }
at::Tensor Tan(const at::Tensor& t) { return t.tan(); }
at::Tensor Atan(const at::Tensor& t) { return t.atan(); }
at::Tensor Isnan(const at::Tensor& t) { return t.isnan(); }
at::Tensor Isinf(const at::Tensor& t) { return t.isinf(); }
at::Tensor Isfinite(const at::Tensor& t) { return t.isfinite(); }
at::Tensor LogicalNot(const at::Tensor& t) { return t.logical_not(); }

// Binary ops whose second operand may be a tensor or a number.
#define RN_BINARY(fn, op)                                       \
  at::Tensor fn(const at::Tensor& t, const TensorOrScalar& o) { \
    return o.t.defined() ? op(t, o.t) : op(t, o.s);             \
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

// add/sub(input, other, alpha | null): input ± alpha * other.
at::Scalar Alpha(const MaybeScalar& alpha) { return alpha.has ? alpha.s : at::Scalar(1); }
at::Tensor Add(const at::Tensor& t, const TensorOrScalar& o, const MaybeScalar& alpha) {
  return o.t.defined() ? at::add(t, o.t, Alpha(alpha)) : at::add(t, o.s, Alpha(alpha));
}
at::Tensor Sub(const at::Tensor& t, const TensorOrScalar& o, const MaybeScalar& alpha) {
  return o.t.defined() ? at::sub(t, o.t, Alpha(alpha)) : at::sub(t, o.s, Alpha(alpha));
}
at::Tensor Maximum(const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); }
at::Tensor Minimum(const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); }

// clamp(input, min | null, max | null)
at::Tensor Clamp(const at::Tensor& t, const MaybeScalar& min, const MaybeScalar& max) {
  if (!min.has && !max.has)
    Fail(ErrorKind::Argument, "Expected at least one bound for min/max but received null");
  if (!max.has) return t.clamp_min(min.s);
  if (!min.has) return t.clamp_max(max.s);
  return t.clamp(min.s, max.s);
}
// where(condition, input, other): either branch a tensor or a number, as torch.where.
at::Tensor Where(const at::Tensor& c, const TensorOrScalar& a, const TensorOrScalar& b) {
  if (a.t.defined()) return b.t.defined() ? at::where(c, a.t, b.t) : at::where(c, a.t, b.s);
  return b.t.defined() ? at::where(c, a.s, b.t) : at::where(c, a.s, b.s);
}
at::Tensor Isclose(const at::Tensor& a, const at::Tensor& b, double rtol, double atol, bool equal_nan) {
  return at::isclose(a, b, rtol, atol, equal_nan);
}
// A value read into JavaScript: refused during a capture, which could not replay it.
bool Allclose(const at::Tensor& a, const at::Tensor& b, double rtol, double atol, bool equal_nan) {
  return at::allclose(a, b, rtol, atol, equal_nan);
}
at::Tensor MaskedFill(const at::Tensor& t, const at::Tensor& mask, const at::Scalar& v) {
  return t.masked_fill(mask, v);
}

// ---- in-place forms: they return their first argument (the same handle) ----
InPlace AddInplace(at::Tensor t, const TensorOrScalar& o, const MaybeScalar& alpha) {
  if (o.t.defined())
    t.add_(o.t, Alpha(alpha));
  else
    t.add_(o.s, Alpha(alpha));
  return {};
}
InPlace SubInplace(at::Tensor t, const TensorOrScalar& o, const MaybeScalar& alpha) {
  if (o.t.defined())
    t.sub_(o.t, Alpha(alpha));
  else
    t.sub_(o.s, Alpha(alpha));
  return {};
}
InPlace MulInplace(at::Tensor t, const TensorOrScalar& o) {
  if (o.t.defined())
    t.mul_(o.t);
  else
    t.mul_(o.s);
  return {};
}
InPlace DivInplace(at::Tensor t, const TensorOrScalar& o) {
  if (o.t.defined())
    t.div_(o.t);
  else
    t.div_(o.s);
  return {};
}
#define RN_INPLACE(fn, params, body) \
  InPlace fn params {                \
    body;                            \
    return {};                       \
  }
RN_INPLACE(CopyInplace, (at::Tensor t, const at::Tensor& src), t.copy_(src))
RN_INPLACE(FillInplace, (at::Tensor t, const at::Scalar& v), t.fill_(v))
RN_INPLACE(ZeroInplace, (at::Tensor t), t.zero_())
RN_INPLACE(ReluInplace, (at::Tensor t), t.relu_())
RN_INPLACE(SqrtInplace, (at::Tensor t), t.sqrt_())
RN_INPLACE(UniformInplace, (at::Tensor t, double from, double to), t.uniform_(from, to))
RN_INPLACE(NormalInplace, (at::Tensor t, double mean, double std), t.normal_(mean, std))
RN_INPLACE(AddcmulInplace, (at::Tensor t, const at::Tensor& a, const at::Tensor& b, const at::Scalar& v),
           t.addcmul_(a, b, v))
RN_INPLACE(AddcdivInplace, (at::Tensor t, const at::Tensor& a, const at::Tensor& b, const at::Scalar& v),
           t.addcdiv_(a, b, v))
RN_INPLACE(MaximumInplace, (at::Tensor t, const at::Tensor& o), t.copy_(at::maximum(t, o)))
#undef RN_INPLACE
InPlace ClampInplace(at::Tensor t, const MaybeScalar& min, const MaybeScalar& max) {
  if (!max.has)
    t.clamp_min_(min.s);
  else if (!min.has)
    t.clamp_max_(max.s);
  else
    t.clamp_(min.s, max.s);
  return {};
}
InPlace LerpInplace(at::Tensor t, const at::Tensor& end, const TensorOrScalar& w) {
  if (w.t.defined())
    t.lerp_(end, w.t);
  else
    t.lerp_(end, w.s);
  return {};
}

}  // namespace

void RegisterPointwise(Napi::Env env, Napi::Object exports) {
  Define<Neg>(env, exports, "neg", {"input"});
  Define<Exp>(env, exports, "exp", {"input"});
  Define<Log>(env, exports, "log", {"input"});
  Define<Log2>(env, exports, "log2", {"input"});
  Define<Log1p>(env, exports, "log1p", {"input"});
  Define<Expm1>(env, exports, "expm1", {"input"});
  Define<Sqrt>(env, exports, "sqrt", {"input"});
  Define<Rsqrt>(env, exports, "rsqrt", {"input"});
  Define<Abs>(env, exports, "abs", {"input"});
  Define<Sign>(env, exports, "sign", {"input"});
  Define<Sigmoid>(env, exports, "sigmoid", {"input"});
  Define<Tanh>(env, exports, "tanh", {"input"});
  Define<Relu>(env, exports, "relu", {"input"});
  Define<Floor>(env, exports, "floor", {"input"});
  Define<Ceil>(env, exports, "ceil", {"input"});
  Define<Round>(env, exports, "round", {"input"});
  Define<Reciprocal>(env, exports, "reciprocal", {"input"});
  Define<Square>(env, exports, "square", {"input"});
  Define<Sin>(env, exports, "sin", {"input"});
  Define<Cos>(env, exports, "cos", {"input"});
  Define<Erf>(env, exports, "erf", {"input"});
  Define<Tan>(env, exports, "tan", {"input"});
  Define<Atan>(env, exports, "atan", {"input"});
  Define<Isnan>(env, exports, "isnan", {"input"});
  Define<Isinf>(env, exports, "isinf", {"input"});
  Define<Isfinite>(env, exports, "isfinite", {"input"});
  Define<LogicalNot>(env, exports, "logicalNot", {"input"});
  Define<Mul>(env, exports, "mul", {"input", "other"});
  Define<Div>(env, exports, "div", {"input", "other"});
  Define<Pow>(env, exports, "pow", {"input", "other"});
  Define<Remainder>(env, exports, "remainder", {"input", "other"});
  Define<Eq>(env, exports, "eq", {"input", "other"});
  Define<Ne>(env, exports, "ne", {"input", "other"});
  Define<Lt>(env, exports, "lt", {"input", "other"});
  Define<Le>(env, exports, "le", {"input", "other"});
  Define<Gt>(env, exports, "gt", {"input", "other"});
  Define<Ge>(env, exports, "ge", {"input", "other"});
  Define<Add>(env, exports, "add", {"input", "other", "alpha"});
  Define<Sub>(env, exports, "sub", {"input", "other", "alpha"});
  Define<Maximum>(env, exports, "maximum", {"input", "other"});
  Define<Minimum>(env, exports, "minimum", {"input", "other"});
  Define<Clamp>(env, exports, "clamp", {"input", "min", "max"});
  Define<Where>(env, exports, "where", {"condition", "input", "other"});
  Define<MaskedFill>(env, exports, "maskedFill", {"input", "mask", "value"});
  Define<Isclose>(env, exports, "isclose", {"input", "other", "rtol", "atol", "equalNan"});
  Define<Allclose>(env, exports, "allclose", {"input", "other", "rtol", "atol", "equalNan"}, Policy::Refuse);
  Define<AddInplace>(env, exports, "add_", {"input", "other", "alpha"});
  Define<SubInplace>(env, exports, "sub_", {"input", "other", "alpha"});
  Define<MulInplace>(env, exports, "mul_", {"input", "other"});
  Define<DivInplace>(env, exports, "div_", {"input", "other"});
  // copy_ copies between devices (loadStateDict into CUDA weights from a CPU file).
  Define<CopyInplace>(env, exports, "copy_", {"input", "source"}, Policy::Record, Devices::Any);
  Define<FillInplace>(env, exports, "fill_", {"input", "value"});
  Define<ZeroInplace>(env, exports, "zero_", {"input"});
  Define<ReluInplace>(env, exports, "relu_", {"input"});
  Define<SqrtInplace>(env, exports, "sqrt_", {"input"});
  Define<UniformInplace>(env, exports, "uniform_", {"input", "from", "to"});
  Define<NormalInplace>(env, exports, "normal_", {"input", "mean", "std"});
  Define<ClampInplace>(env, exports, "clamp_", {"input", "min", "max"});
  Define<AddcmulInplace>(env, exports, "addcmul_", {"input", "tensor1", "tensor2", "value"});
  Define<AddcdivInplace>(env, exports, "addcdiv_", {"input", "tensor1", "tensor2", "value"});
  Define<LerpInplace>(env, exports, "lerp_", {"input", "end", "weight"});
  Define<MaximumInplace>(env, exports, "maximum_", {"input", "other"});
}

}  // namespace rn
