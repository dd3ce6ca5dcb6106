// Counts the tensors that JavaScript holds and the distinct storages behind them, so
// memory() reports real bytes (views share a storage and are counted once) and V8 learns
// about native memory through AdjustExternalMemory.
#pragma once
#include <cstdint>
#include <unordered_map>

namespace rn {

struct MemoryStats {
  struct StorageUse {
    int64_t refs = 0;
    int64_t bytes = 0;
    bool cuda = false;
  };
  int64_t live_tensors = 0;
  int64_t cpu_bytes = 0;
  int64_t cuda_bytes = 0;
  std::unordered_map<const void*, StorageUse> storages;

  // Returns the change of CPU bytes (to report to V8).
  int64_t Acquire(const void* storage, int64_t bytes, bool cuda);
  int64_t Release(const void* storage);
};

}  // namespace rn
