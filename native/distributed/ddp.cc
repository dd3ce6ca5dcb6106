// DistributedDataParallel's native half: PyTorch's own c10d::Reducer. It hooks each
// parameter's gradient accumulator, copies gradients into buckets as backward produces them,
// all-reduces each full bucket while backward goes on (Gloo's threads do the transfer), and
// at the end of backward waits for every bucket and writes the averaged gradients back. The
// ops below are declared like any other (native/op.h), so a captured training step records
// them and its replay, on the executor thread, runs them again with no JavaScript involved.
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <torch/version.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "distributed/group.h"
#include "distributed/heartbeat.h"
#include "op.h"
#include "distributed/register.h"

namespace rn {
namespace {

struct Replica {
  std::shared_ptr<c10d::Reducer> reducer;
  std::vector<at::Tensor> buffers;  // broadcast from rank 0 before each training forward
  int64_t steps = 0;
};

std::mutex replicas_mutex;
std::vector<std::shared_ptr<Replica>> replicas;  // by id; never reused within a process

std::shared_ptr<Replica> Find(int64_t id) {
  std::lock_guard<std::mutex> lock(replicas_mutex);
  if (id < 0 || id >= static_cast<int64_t>(replicas.size()) || replicas[id] == nullptr)
    Fail(ErrorKind::Torch, "This DistributedDataParallel was disposed");
  return replicas[id];
}

// ddpCreate(params, buffers, bucketCapBytes, firstBucketCapBytes) → id. As PyTorch's DDP:
// buckets assigned by size in reverse parameter order (gradients arrive roughly in that order),
// the first one small so that the all-reduce starts early.
Napi::Value Create(const Napi::CallbackInfo& info) {
  Args a(info);
  std::vector<at::Tensor> params = a.TensorList(0, "params");
  std::vector<at::Tensor> buffers = a.TensorList(1, "buffers");
  const int64_t cap = a.Int(2, "bucketCapBytes");
  const int64_t first = a.Int(3, "firstBucketCapBytes");
  if (params.empty()) a.Fail("params", "at least one parameter that requires grad", 0);
  for (const at::Tensor& p : params)
    if (!p.requires_grad()) a.Fail("params", "parameters that require grad", 0);
  std::vector<bool> sparse(params.size(), false);
  auto assignment = c10d::compute_bucket_assignment_by_size(
      params, {static_cast<size_t>(first), static_cast<size_t>(cap)}, sparse);
  std::vector<std::vector<size_t>> buckets = std::get<0>(assignment);
  std::reverse(buckets.begin(), buckets.end());
  auto replica = std::make_shared<Replica>();
#if TORCH_VERSION_MAJOR >= 2
  replica->reducer = std::make_shared<c10d::Reducer>(params, buckets, dist::Group(), sparse, cap,
                                                     /*find_unused_parameters=*/false,
                                                     /*gradient_as_bucket_view=*/false,
                                                     std::unordered_map<size_t, std::string>{}, first,
                                                     /*skip_all_reduce_unused_params=*/false,
                                                     /*use_python_reducer=*/false, std::vector<int64_t>{});
#else
  std::vector<size_t> limits = std::get<1>(assignment);
  std::reverse(limits.begin(), limits.end());
  replica->reducer = std::make_shared<c10d::Reducer>(params, buckets, limits, dist::Group(), sparse, cap,
                                                     /*find_unused_parameters=*/false,
                                                     /*gradient_as_bucket_view=*/false,
                                                     std::unordered_map<size_t, std::string>{}, first);
#endif
  replica->buffers = std::move(buffers);
  std::lock_guard<std::mutex> lock(replicas_mutex);
  replicas.push_back(replica);
  return Napi::Number::New(a.env(), static_cast<double>(replicas.size() - 1));
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t id = a.Int(0, "id");
  std::lock_guard<std::mutex> lock(replicas_mutex);
  if (id >= 0 && id < static_cast<int64_t>(replicas.size())) replicas[id].reset();
  return a.env().Undefined();
}

// Before a training forward: the buffers (batch norm's running statistics) from rank 0, as
// DDP's broadcast_buffers. `input` only places the step in the program.
void SyncBuffers(const at::Tensor& input, int64_t id) {
  auto replica = Find(id);
  if (replica->buffers.empty()) return;
  try {
    c10d::broadcast_coalesced(dist::Group(), replica->buffers, 256 << 20, 0);
  } catch (const OpError&) {
    throw;
  } catch (const std::exception& e) {
    dist::FailCollective("Broadcasting the buffers", e.what());
  }
}

// After a training forward: the buckets are rebuilt once in the order the first backward
// produced gradients (as DDP's forward does), and the Reducer is armed for this backward.
void PrepareForBackward(const at::Tensor& output, int64_t id) {
  auto replica = Find(id);
  try {
    replica->reducer->rebuild_buckets();
  } catch (const OpError&) {
    throw;
  } catch (const std::exception& e) {
    dist::FailCollective("Rebuilding the gradient buckets", e.what());
  }
  replica->reducer->prepare_for_backward({output});
  dist::NoteStep(++replica->steps);
}

}  // namespace

void RegisterDdp(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "ddpCreate", Create);
  Export(env, exports, "ddpDispose", Dispose);
  Define<SyncBuffers>(env, exports, "ddpSyncBuffers", {"input", "id"});
  Define<PrepareForBackward>(env, exports, "ddpPrepareForBackward", {"output", "id"});
}

}  // namespace rn
