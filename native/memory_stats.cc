#include "memory_stats.h"

#include <ATen/core/Tensor.h>

namespace rn {

int64_t MemoryStats::Acquire(const at::Tensor* tensor, const void* storage, int64_t bytes) {
  live.insert(tensor);
  if (storage == nullptr) return 0;
  StorageUse& use = reported_[storage];
  if (use.refs++ > 0) return 0;
  use.bytes = bytes;
  return bytes;
}

int64_t MemoryStats::Release(const at::Tensor* tensor, const void* storage) {
  live.erase(tensor);
  if (storage == nullptr) return 0;
  auto it = reported_.find(storage);
  if (it == reported_.end()) return 0;
  if (--it->second.refs > 0) return 0;
  const int64_t bytes = it->second.bytes;
  reported_.erase(it);
  return -bytes;
}

MemoryStats::Totals MemoryStats::Measure() const {
  Totals totals;
  std::unordered_set<const void*> seen;
  for (const at::Tensor* t : live) {
    ++totals.live_tensors;
    if (!t->defined() || !t->has_storage()) continue;
    const c10::Storage& storage = t->storage();
    if (!seen.insert(storage.unsafeGetStorageImpl()).second) continue;
    const auto bytes = static_cast<int64_t>(storage.nbytes());
    (storage.device().is_cuda() ? totals.cuda_bytes : totals.cpu_bytes) += bytes;
  }
  return totals;
}

}  // namespace rn
