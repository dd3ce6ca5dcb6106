// Reductions. A null `dims` argument means "over all elements", as PyTorch's dim=None.
#include <ATen/ops/all.h>
#include <ATen/ops/any.h>
#include <ATen/ops/argmax.h>
#include <ATen/ops/argmin.h>
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

#include "args.h"
#include "registry.h"

namespace rn {
namespace {

Napi::Value Pair(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& p) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Wrap(env, std::get<0>(p)));
  out.Set(1u, Wrap(env, std::get<1>(p)));
  return out;
}

// sum/mean(input, dims | null, keepdim)
Napi::Value Sum(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), t.sum());
  const auto dims = a.IntList(1, "dim");
  return Wrap(a.env(), at::sum(t, at::IntArrayRef(dims), a.Bool(2, "keepdim")));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), t.mean());
  const auto dims = a.IntList(1, "dim");
  return Wrap(a.env(), at::mean(t, at::IntArrayRef(dims), a.Bool(2, "keepdim")));
}

Napi::Value Prod(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), t.prod());
  return Wrap(a.env(), at::prod(t, a.Int(1, "dim"), a.Bool(2, "keepdim")));
}

// max/min(input) → tensor; maxDim/minDim(input, dim, keepdim) → [values, indices]
Napi::Value Max(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "input").max());
}
Napi::Value Min(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "input").min());
}
Napi::Value MaxDim(const Napi::CallbackInfo& info) {
  Args a(info);
  return Pair(a.env(), at::max(a.Tensor(0, "input"), a.Int(1, "dim"), a.Bool(2, "keepdim")));
}
Napi::Value MinDim(const Napi::CallbackInfo& info) {
  Args a(info);
  return Pair(a.env(), at::min(a.Tensor(0, "input"), a.Int(1, "dim"), a.Bool(2, "keepdim")));
}

// argmax/argmin(input, dim | null, keepdim)
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), at::argmax(t));
  return Wrap(a.env(), at::argmax(t, a.Int(1, "dim"), a.Bool(2, "keepdim")));
}
Napi::Value Argmin(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), at::argmin(t));
  return Wrap(a.env(), at::argmin(t, a.Int(1, "dim"), a.Bool(2, "keepdim")));
}

// topk(input, k, dim, largest, sorted) → [values, indices]
Napi::Value Topk(const Napi::CallbackInfo& info) {
  Args a(info);
  return Pair(a.env(), at::topk(a.Tensor(0, "input"), a.Int(1, "k"), a.Int(2, "dim"), a.Bool(3, "largest"),
                                a.Bool(4, "sorted")));
}

// sort(input, dim, descending) → [values, indices]
Napi::Value Sort(const Napi::CallbackInfo& info) {
  Args a(info);
  return Pair(a.env(), at::sort(a.Tensor(0, "input"), a.Int(1, "dim"), a.Bool(2, "descending")));
}

// std/var(input, dims | null, unbiased, keepdim)
Napi::Value Std(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), at::std(t, a.Bool(2, "unbiased")));
  const auto dims = a.IntList(1, "dim");
  return Wrap(a.env(), at::std(t, at::IntArrayRef(dims), a.Bool(2, "unbiased"), a.Bool(3, "keepdim")));
}
Napi::Value Var(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  if (a.IsNullish(1)) return Wrap(a.env(), at::var(t, a.Bool(2, "unbiased")));
  const auto dims = a.IntList(1, "dim");
  return Wrap(a.env(), at::var(t, at::IntArrayRef(dims), a.Bool(2, "unbiased"), a.Bool(3, "keepdim")));
}

// norm(input, p, dims | null, keepdim)
Napi::Value Norm(const Napi::CallbackInfo& info) {
  Args a(info);
  const at::Tensor& t = a.Tensor(0, "input");
  const at::Scalar p = a.Scalar(1, "p");
  if (a.IsNullish(2)) return Wrap(a.env(), at::norm(t, p));
  const auto dims = a.IntList(2, "dim");
  return Wrap(a.env(), at::norm(t, p, at::IntArrayRef(dims), a.Bool(3, "keepdim")));
}

Napi::Value All(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "input").all());
}
Napi::Value Any(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), a.Tensor(0, "input").any());
}

Napi::Value Logsumexp(const Napi::CallbackInfo& info) {
  Args a(info);
  const auto dims = a.IntList(1, "dim");
  return Wrap(a.env(), at::logsumexp(a.Tensor(0, "input"), at::IntArrayRef(dims), a.Bool(2, "keepdim")));
}

Napi::Value Cumsum(const Napi::CallbackInfo& info) {
  Args a(info);
  return Wrap(a.env(), at::cumsum(a.Tensor(0, "input"), a.Int(1, "dim")));
}

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, NativeFn> fns[] = {
      {"sum", Sum},
      {"mean", Mean},
      {"prod", Prod},
      {"max", Max},
      {"min", Min},
      {"maxDim", MaxDim},
      {"minDim", MinDim},
      {"argmax", Argmax},
      {"argmin", Argmin},
      {"topk", Topk},
      {"sort", Sort},
      {"std", Std},
      {"var", Var},
      {"norm", Norm},
      {"all", All},
      {"any", Any},
      {"logsumexp", Logsumexp},
      {"cumsum", Cumsum},
  };
  for (const auto& [name, fn] : fns) Export(env, exports, name, fn);
}

}  // namespace rn
