// Multi-tensor (foreach) ops: one call updates a whole list of tensors, as torch.optim's
// foreach implementations do. On CUDA libtorch fuses each into a few kernels over the list; on
// the CPU it runs the same per-tensor ops as the single-tensor path, so results are identical.
#include <ATen/ops/_foreach_add.h>
#include <ATen/ops/_foreach_addcdiv.h>
#include <ATen/ops/_foreach_addcmul.h>
#include <ATen/ops/_foreach_div.h>
#include <ATen/ops/_foreach_maximum.h>
#include <ATen/ops/_foreach_mul.h>
#include <ATen/ops/_foreach_neg.h>
#include <ATen/ops/_foreach_norm.h>
#include <ATen/ops/_foreach_sqrt.h>

#include <cmath>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

using List = std::vector<at::Tensor>;

void SameLength(const List& a, const List& b, const char* name) {
  if (a.size() != b.size())
    Fail(ErrorKind::Argument, std::string("Expected ") + std::to_string(a.size()) + " tensors for " + name +
                                  " but received " + std::to_string(b.size()));
}
void SameLength(const List& a, const ScalarList& s, const char* name) {
  if (a.size() != s.values.size())
    Fail(ErrorKind::Argument, std::string("Expected ") + std::to_string(a.size()) + " numbers for " + name +
                                  " but received " + std::to_string(s.values.size()));
}

// self[k] += alpha * other[k]
InPlace Add_(List self, const List& other, const at::Scalar& alpha) {
  SameLength(self, other, "other");
  at::_foreach_add_(self, other, alpha);
  return {};
}
List Add(const List& self, const List& other, const at::Scalar& alpha) {
  SameLength(self, other, "other");
  return at::_foreach_add(self, other, alpha);
}
InPlace AddScalar_(List self, const at::Scalar& v) {
  at::_foreach_add_(self, v);
  return {};
}
InPlace Mul_(List self, const at::Scalar& v) {
  at::_foreach_mul_(self, v);
  return {};
}
// self[k] *= other[k] (other may hold one-element tensors: a trust ratio, a clip coefficient)
InPlace MulList_(List self, const List& other) {
  SameLength(self, other, "other");
  at::_foreach_mul_(self, other);
  return {};
}
List MulList(const List& self, const List& other) {
  SameLength(self, other, "other");
  return at::_foreach_mul(self, other);
}
InPlace DivScalars_(List self, const ScalarList& s) {
  SameLength(self, s, "scalars");
  at::_foreach_div_(self, s.values);
  return {};
}
InPlace Addcmul_(List self, const List& a, const List& b, const at::Scalar& v) {
  SameLength(self, a, "tensor1");
  SameLength(self, b, "tensor2");
  at::_foreach_addcmul_(self, a, b, v);
  return {};
}
List Addcmul(const List& self, const List& a, const List& b, const at::Scalar& v) {
  SameLength(self, a, "tensor1");
  SameLength(self, b, "tensor2");
  return at::_foreach_addcmul(self, a, b, v);
}
InPlace Addcdiv_(List self, const List& a, const List& b, const at::Scalar& v) {
  SameLength(self, a, "tensor1");
  SameLength(self, b, "tensor2");
  at::_foreach_addcdiv_(self, a, b, v);
  return {};
}
InPlace AddcdivScalars_(List self, const List& a, const List& b, const ScalarList& s) {
  SameLength(self, a, "tensor1");
  SameLength(self, b, "tensor2");
  SameLength(self, s, "scalars");
  at::_foreach_addcdiv_(self, a, b, s.values);
  return {};
}
InPlace Maximum_(List self, const List& other) {
  SameLength(self, other, "other");
  at::_foreach_maximum_(self, other);
  return {};
}
List Sqrt(const List& self) { return at::_foreach_sqrt(self); }
InPlace Sqrt_(List self) {
  at::_foreach_sqrt_(self);
  return {};
}
List Neg(const List& self) { return at::_foreach_neg(self); }
List Norm(const List& self, const at::Scalar& ord) { return at::_foreach_norm(self, ord); }

// C's pow, which Python's float ** float calls: torch.optim's bias corrections 1 - beta ** step
// are computed with it, and V8's Math.pow differs from it in the last bit for some arguments.
double PowNumber(double base, double exponent) { return std::pow(base, exponent); }

}  // namespace

void RegisterForeach(Napi::Env env, Napi::Object exports) {
  Define<Add_>(env, exports, "foreachAdd_", {"self", "other", "alpha"});
  Define<Add>(env, exports, "foreachAdd", {"self", "other", "alpha"});
  Define<AddScalar_>(env, exports, "foreachAddScalar_", {"self", "scalar"});
  Define<Mul_>(env, exports, "foreachMul_", {"self", "scalar"});
  Define<MulList_>(env, exports, "foreachMulList_", {"self", "other"});
  Define<MulList>(env, exports, "foreachMulList", {"self", "other"});
  Define<DivScalars_>(env, exports, "foreachDivScalars_", {"self", "scalars"});
  Define<Addcmul_>(env, exports, "foreachAddcmul_", {"self", "tensor1", "tensor2", "value"});
  Define<Addcmul>(env, exports, "foreachAddcmul", {"self", "tensor1", "tensor2", "value"});
  Define<Addcdiv_>(env, exports, "foreachAddcdiv_", {"self", "tensor1", "tensor2", "value"});
  Define<AddcdivScalars_>(env, exports, "foreachAddcdivScalars_", {"self", "tensor1", "tensor2", "scalars"});
  Define<Maximum_>(env, exports, "foreachMaximum_", {"self", "other"});
  Define<Sqrt>(env, exports, "foreachSqrt", {"self"});
  Define<Sqrt_>(env, exports, "foreachSqrt_", {"self"});
  Define<Neg>(env, exports, "foreachNeg", {"self"});
  Define<Norm>(env, exports, "foreachNorm", {"self", "ord"});
  Define<PowNumber>(env, exports, "powNumber", {"base", "exponent"}, Policy::Query);
}

}  // namespace rn
