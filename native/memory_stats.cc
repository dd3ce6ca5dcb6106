#include "memory_stats.h"

namespace rn {

int64_t MemoryStats::Acquire(const void* storage, int64_t bytes, bool cuda) {
  ++live_tensors;
  if (storage == nullptr) return 0;
  StorageUse& use = storages[storage];
  if (use.refs++ > 0) return 0;
  use.bytes = bytes;
  use.cuda = cuda;
  (cuda ? cuda_bytes : cpu_bytes) += bytes;
  return cuda ? 0 : bytes;
}

int64_t MemoryStats::Release(const void* storage) {
  --live_tensors;
  if (storage == nullptr) return 0;
  auto it = storages.find(storage);
  if (it == storages.end()) return 0;
  if (--it->second.refs > 0) return 0;
  const int64_t bytes = it->second.bytes;
  const bool cuda = it->second.cuda;
  storages.erase(it);
  (cuda ? cuda_bytes : cpu_bytes) -= bytes;
  return cuda ? 0 : -bytes;
}

}  // namespace rn
