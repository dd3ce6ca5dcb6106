// Counts the tensors that JavaScript holds and the distinct storages behind them, so memory()
// reports real bytes (views share a storage and are counted once) and V8 learns about native
// memory through AdjustExternalMemory.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace at {
class Tensor;
}

namespace rn {

struct MemoryStats {
  struct Totals {
    int64_t live_tensors = 0;
    int64_t cpu_bytes = 0;
    int64_t cuda_bytes = 0;
  };

  // The tensor of every live handle. memory() measures them when asked, by the storage each
  // holds now: `module.to()` and other in-place changes (set_data) replace a tensor's storage
  // after its handle was made, and may move it to another device.
  std::unordered_set<const at::Tensor*> live;

  // Returns the change of bytes to report to V8 (a hint for its GC pressure, balanced between
  // Acquire and Release; memory() does not depend on it). CUDA bytes count too: a forgotten
  // CUDA tensor must be collected before the device runs out, and V8 sees nothing else of it.
  int64_t Acquire(const at::Tensor* tensor, const void* storage, int64_t bytes);
  int64_t Release(const at::Tensor* tensor, const void* storage);

  // Live tensors and the bytes of the distinct storages behind them, by device, right now.
  Totals Measure() const;

 private:
  struct StorageUse {
    int64_t refs = 0;
    int64_t bytes = 0;
  };
  // The storages as seen when each handle was made, for the V8 hint.
  std::unordered_map<const void*, StorageUse> reported_;
};

}  // namespace rn
