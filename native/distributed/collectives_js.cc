// dist* exports: init and the collectives, each a promise settled after the work ran on the
// collectives thread (native/distributed/queue.h). Tensors are held by the job until it is done.
#include <ATen/ops/empty_like.h>
#include <torch/csrc/distributed/c10d/Types.hpp>

#include "args.h"
#include "distributed/group.h"
#include "distributed/heartbeat.h"
#include "distributed/queue.h"
#include "distributed/register.h"

namespace rn {
namespace {

using Ms = std::chrono::milliseconds;

Ms TimeoutArg(const Args& a, size_t i) {
  const double ms = a.Number(i, "timeoutMs");
  if (!(ms > 0)) a.Fail("timeoutMs", "a positive number of milliseconds", i);
  return Ms(static_cast<int64_t>(ms));
}

dist::Settle Nothing() {
  return [](Napi::Env env) { return env.Undefined(); };
}

// distInit(addr, port, rank, world, backend, timeoutMs) → Promise<void>
Napi::Value Init(const Napi::CallbackInfo& info) {
  Args a(info);
  dist::InitOptions o;
  o.addr = a.String(0, "addr");
  o.port = static_cast<int>(a.Int(1, "port"));
  o.rank = static_cast<int>(a.Int(2, "rank"));
  o.world = static_cast<int>(a.Int(3, "world"));
  o.backend = a.String(4, "backend");
  o.timeout = TimeoutArg(a, 5);
  return dist::Schedule(a.env(), [o] {
    dist::Init(o);
    return Nothing();
  });
}

Napi::Value HasBackend(const Napi::CallbackInfo& info) {
  Args a(info);
  return Napi::Boolean::New(a.env(), dist::HasBackend(a.String(0, "backend")));
}

Napi::Value Initialized(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), dist::Initialized());
}

Napi::Value Rank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), dist::Rank()); }
Napi::Value World(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), dist::World()); }

c10d::ReduceOp ReduceOpArg(const Args& a, size_t i) {
  const std::string op = a.String(i, "op");
  if (op == "sum" || op == "mean") return c10d::ReduceOp::SUM;  // gloo has no AVG: mean divides after
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "max") return c10d::ReduceOp::MAX;
  a.Fail("op", "'sum', 'mean', 'product', 'min' or 'max'", i);
}

// distAllReduce(tensor, op, timeoutMs) → Promise<void>; in place.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  Args a(info);
  at::Tensor t = a.Tensor(0, "tensor");
  c10d::AllreduceOptions opts;
  opts.reduceOp = ReduceOpArg(a, 1);
  const bool mean = a.String(1, "op") == "mean";
  opts.timeout = TimeoutArg(a, 2);
  (void)dist::Group();  // a clear error now, before the promise, when init() was not called
  return dist::Schedule(a.env(), [t, opts, mean] {
    std::vector<at::Tensor> tensors{t};
    dist::Wait(dist::Group()->allreduce(tensors, opts), "allReduce");
    if (mean) t.div_(dist::World());
    return Nothing();
  });
}

// distBroadcast(tensors, src, timeoutMs) → Promise<void>; each tensor in place, in order.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Args a(info);
  std::vector<at::Tensor> tensors = a.TensorList(0, "tensors");
  c10d::BroadcastOptions opts;
  opts.rootRank = a.Int(1, "src");
  opts.timeout = TimeoutArg(a, 2);
  (void)dist::Group();
  return dist::Schedule(a.env(), [tensors, opts] {
    for (const at::Tensor& t : tensors) {
      std::vector<at::Tensor> one{t};
      dist::Wait(dist::Group()->broadcast(one, opts), "broadcast");
    }
    return Nothing();
  });
}

// distBarrier(timeoutMs) → Promise<void>
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Args a(info);
  c10d::BarrierOptions opts;
  opts.timeout = TimeoutArg(a, 0);
  (void)dist::Group();
  return dist::Schedule(a.env(), [opts] {
    dist::Wait(dist::Group()->barrier(opts), "barrier");
    return Nothing();
  });
}

// distAllGather(tensor, timeoutMs) → Promise<handles>: one tensor per rank, in rank order.
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  Args a(info);
  at::Tensor t = a.Tensor(0, "tensor");
  c10d::AllgatherOptions opts;
  opts.timeout = TimeoutArg(a, 1);
  (void)dist::Group();
  return dist::Schedule(a.env(), [t, opts]() -> dist::Settle {
    std::vector<at::Tensor> input{t};
    std::vector<std::vector<at::Tensor>> output(1);
    for (int r = 0; r < dist::World(); ++r) output[0].push_back(at::empty_like(t));
    dist::Wait(dist::Group()->allgather(output, input, opts), "allGather");
    return [gathered = output[0]](Napi::Env env) -> Napi::Value {
      Napi::Array out = Napi::Array::New(env, gathered.size());
      for (size_t i = 0; i < gathered.size(); ++i) out.Set(static_cast<uint32_t>(i), Wrap(env, gathered[i]));
      return out;
    };
  });
}

// distDiagnose() → Promise<string>: which rank is lost or hung, after a failure that surfaced
// elsewhere (a backward whose bucket all-reduce failed inside the Reducer).
Napi::Value Diagnose(const Napi::CallbackInfo& info) {
  return dist::Schedule(info.Env(), [] {
    std::string sentence = dist::DiagnosePeers();
    return [sentence](Napi::Env env) -> Napi::Value { return Napi::String::New(env, sentence); };
  });
}

}  // namespace

void RegisterDist(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "distInit", Init);
  Export(env, exports, "distHasBackend", HasBackend, Policy::Query);
  Export(env, exports, "distIsInitialized", Initialized, Policy::Query);
  Export(env, exports, "distRank", Rank, Policy::Query);
  Export(env, exports, "distWorldSize", World, Policy::Query);
  Export(env, exports, "distAllReduce", AllReduce);
  Export(env, exports, "distBroadcast", Broadcast);
  Export(env, exports, "distBarrier", Barrier);
  Export(env, exports, "distAllGather", AllGather);
  Export(env, exports, "distDiagnose", Diagnose);
  RegisterDdp(env, exports);
}

}  // namespace rn
