// Reductions. A null `dims` argument means "over all elements", as PyTorch's dim=None.
#include <ATen/ops/all.h>
#include <ATen/ops/any.h>
#include <ATen/ops/argmax.h>
#include <ATen/ops/argmin.h>
#include <ATen/ops/argsort.h>
#include <ATen/ops/cumsum.h>
#include <ATen/ops/logsumexp.h>
#include <ATen/ops/max.h>
#include <ATen/ops/mean.h>
#include <ATen/ops/min.h>
#include <ATen/ops/norm.h>
#include <ATen/ops/prod.h>
#include <ATen/ops/sort.h>
#include <ATen/ops/std.h>
#include <ATen/ops/sum.h>
#include <ATen/ops/topk.h>
#include <ATen/ops/var.h>

#include "op.h"
#include "registry.h"

namespace rn {
namespace {

using Pair = std::tuple<at::Tensor, at::Tensor>;

// sum/mean(input, dims | null, keepdim): null reduces every dimension.
at::Tensor Sum(const at::Tensor& t, const MaybeInts& dims, bool keepdim) {
  return dims.has ? at::sum(t, at::IntArrayRef(dims.v), keepdim) : t.sum();
}
at::Tensor Mean(const at::Tensor& t, const MaybeInts& dims, bool keepdim) {
  return dims.has ? at::mean(t, at::IntArrayRef(dims.v), keepdim) : t.mean();
}
at::Tensor Prod(const at::Tensor& t, const MaybeInt& dim, bool keepdim) {
  return dim.has ? at::prod(t, dim.v, keepdim) : t.prod();
}
at::Tensor Max(const at::Tensor& t) { return t.max(); }
at::Tensor Min(const at::Tensor& t) { return t.min(); }
// [values, indices]
Pair MaxDim(const at::Tensor& t, int64_t dim, bool keepdim) { return at::max(t, dim, keepdim); }
Pair MinDim(const at::Tensor& t, int64_t dim, bool keepdim) { return at::min(t, dim, keepdim); }
at::Tensor Argmax(const at::Tensor& t, const MaybeInt& dim, bool keepdim) {
  return dim.has ? at::argmax(t, dim.v, keepdim) : at::argmax(t);
}
at::Tensor Argmin(const at::Tensor& t, const MaybeInt& dim, bool keepdim) {
  return dim.has ? at::argmin(t, dim.v, keepdim) : at::argmin(t);
}
Pair Topk(const at::Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
  return at::topk(t, k, dim, largest, sorted);
}
Pair Sort(const at::Tensor& t, int64_t dim, bool descending) { return at::sort(t, dim, descending); }
at::Tensor Argsort(const at::Tensor& t, int64_t dim, bool descending) {
  return at::argsort(t, dim, descending);
}
at::Tensor Std(const at::Tensor& t, const MaybeInts& dims, bool unbiased, bool keepdim) {
  return dims.has ? at::std(t, at::IntArrayRef(dims.v), unbiased, keepdim) : at::std(t, unbiased);
}
at::Tensor Var(const at::Tensor& t, const MaybeInts& dims, bool unbiased, bool keepdim) {
  return dims.has ? at::var(t, at::IntArrayRef(dims.v), unbiased, keepdim) : at::var(t, unbiased);
}
at::Tensor Norm(const at::Tensor& t, const at::Scalar& p, const MaybeInts& dims, bool keepdim) {
  return dims.has ? at::norm(t, p, at::IntArrayRef(dims.v), keepdim) : at::norm(t, p);
}
at::Tensor All(const at::Tensor& t) { return t.all(); }
at::Tensor Any(const at::Tensor& t) { return t.any(); }
at::Tensor Logsumexp(const at::Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  return at::logsumexp(t, at::IntArrayRef(dims), keepdim);
}
at::Tensor Cumsum(const at::Tensor& t, int64_t dim) { return at::cumsum(t, dim); }

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  Define<Sum>(env, exports, "sum", {"input", "dim", "keepdim"});
  Define<Mean>(env, exports, "mean", {"input", "dim", "keepdim"});
  Define<Prod>(env, exports, "prod", {"input", "dim", "keepdim"});
  Define<Max>(env, exports, "max", {"input"});
  Define<Min>(env, exports, "min", {"input"});
  Define<MaxDim>(env, exports, "maxDim", {"input", "dim", "keepdim"});
  Define<MinDim>(env, exports, "minDim", {"input", "dim", "keepdim"});
  Define<Argmax>(env, exports, "argmax", {"input", "dim", "keepdim"});
  Define<Argmin>(env, exports, "argmin", {"input", "dim", "keepdim"});
  Define<Topk>(env, exports, "topk", {"input", "k", "dim", "largest", "sorted"});
  Define<Sort>(env, exports, "sort", {"input", "dim", "descending"});
  Define<Argsort>(env, exports, "argsort", {"input", "dim", "descending"});
  Define<Std>(env, exports, "std", {"input", "dim", "unbiased", "keepdim"});
  Define<Var>(env, exports, "var", {"input", "dim", "unbiased", "keepdim"});
  Define<Norm>(env, exports, "norm", {"input", "p", "dim", "keepdim"});
  Define<All>(env, exports, "all", {"input"});
  Define<Any>(env, exports, "any", {"input"});
  Define<Logsumexp>(env, exports, "logsumexp", {"input", "dim", "keepdim"});
  Define<Cumsum>(env, exports, "cumsum", {"input", "dim"});
}

}  // namespace rn
