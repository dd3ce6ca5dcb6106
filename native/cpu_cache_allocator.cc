// Why: glibc serves a block above its mmap threshold from its heap once such a block was freed
// (the threshold rises to the freed size, up to 32 MiB). Small allocations that outlive a step
// between those blocks (a loss the loop has not dropped yet, its autograd nodes, waiting for the
// garbage collector) then keep the heap from reusing or returning the holes: RSS grew by about
// 30 MiB a step (ResNet-20, batch 128, 28x28) in a loop that left its tensors to the collector,
// to 3.7 GiB after 100 steps, where tidy() stayed at 0.66 GiB (bench/loop_memory.ts). Mapping
// every large block (MALLOC_MMAP_THRESHOLD_=131072) ended the growth but doubled the step time
// (1,449 against 679 ms): each block's pages were faulted in anew. So large blocks are mapped
// here, and a freed one is kept, by its exact size, for the next request of that size: a
// training or inference step asks for the same sizes every time, so a steady loop maps nothing
// and faults no pages. What is kept is bounded by the most large bytes ever live at once; past
// it, the longest-kept blocks are unmapped first.
#include "cpu_cache_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>
#include <torch/version.h>

#include <cstdlib>
#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace rn {
namespace {

constexpr size_t kLargeBytes = size_t{1} << 20;  // smaller blocks stay with libtorch's allocator
constexpr size_t kPage = 4096;

class CpuCacheAllocator final : public c10::Allocator {
 public:
  explicit CpuCacheAllocator(c10::Allocator* small) : small_(small) {}

#if TORCH_VERSION_MAJOR >= 2
  c10::DataPtr allocate(size_t n) override { return Allocate(n); }
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }
#else
  c10::DataPtr allocate(size_t n) const override { return Allocate(n); }
#endif
  // raw_allocate()'s blocks come back through this: ours, or the small allocator's.
  c10::DeleterFnPtr raw_deleter() const override { return &FreeAny; }

  size_t KeptBytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return kept_bytes_;
  }

  void Empty() {
    std::vector<Block> unmap;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const Block& b : kept_) {
        sizes_.erase(b.ptr);
        unmap.push_back(b);
      }
      kept_.clear();
      free_by_size_.clear();
      kept_bytes_ = 0;
      // The peak that bounds the cache starts again from what is live now.
      peak_live_bytes_ = live_bytes_;
    }
    for (const Block& b : unmap) munmap(b.ptr, b.bytes);
  }

  bool Owns(void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    return sizes_.count(p) != 0;
  }

  void Release(void* p) {
    std::vector<Block> unmap;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const size_t bytes = sizes_.at(p);
      live_bytes_ -= bytes;
      kept_.push_front({p, bytes});
      free_by_size_[bytes].push_back(kept_.begin());
      kept_bytes_ += bytes;
      while (kept_bytes_ > peak_live_bytes_ && !kept_.empty()) {
        const Block oldest = kept_.back();
        auto& same = free_by_size_[oldest.bytes];
        same.erase(same.begin());  // the longest-kept block of a size is the first one kept
        kept_.pop_back();
        kept_bytes_ -= oldest.bytes;
        sizes_.erase(oldest.ptr);
        unmap.push_back(oldest);
      }
    }
    for (const Block& b : unmap) munmap(b.ptr, b.bytes);
  }

 private:
  c10::DataPtr Allocate(size_t n) const {
    if (n < kLargeBytes) return small_->allocate(n);
    const size_t bytes = (n + kPage - 1) / kPage * kPage;
    void* p = Self().Take(bytes);
    if (p == nullptr) {
      p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) TORCH_CHECK(false, "could not map ", bytes, " bytes of CPU memory");
      Self().Mapped(p, bytes);
    }
    return {p, p, &Free, c10::Device(c10::DeviceType::CPU)};
  }

  // c10::Allocator's allocate is const in libtorch 1.13; the cache is this allocator's state.
  CpuCacheAllocator& Self() const { return const_cast<CpuCacheAllocator&>(*this); }

  struct Block {
    void* ptr;
    size_t bytes;
  };

  void* Take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_by_size_.find(bytes);
    if (it == free_by_size_.end() || it->second.empty()) return nullptr;
    const auto block = it->second.back();
    it->second.pop_back();
    void* p = block->ptr;
    kept_.erase(block);
    kept_bytes_ -= bytes;
    Live(bytes);
    return p;
  }

  void Mapped(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[p] = bytes;
    Live(bytes);
  }

  void Live(size_t bytes) {
    live_bytes_ += bytes;
    if (live_bytes_ > peak_live_bytes_) peak_live_bytes_ = live_bytes_;
  }

  static void Free(void* p);
  static void FreeAny(void* p);

  c10::Allocator* small_;
  std::mutex mutex_;
  std::unordered_map<void*, size_t> sizes_;  // every mapped block, live or kept
  std::list<Block> kept_;                    // freed blocks, most recently freed first
  std::unordered_map<size_t, std::vector<std::list<Block>::iterator>> free_by_size_;
  size_t kept_bytes_ = 0;
  size_t live_bytes_ = 0;
  size_t peak_live_bytes_ = 0;
};

CpuCacheAllocator* instance = nullptr;

// Small blocks carry the small allocator's own deleter: only mapped blocks reach Free.
void CpuCacheAllocator::Free(void* p) { instance->Release(p); }

void CpuCacheAllocator::FreeAny(void* p) {
  if (instance->Owns(p))
    instance->Release(p);
  else
    instance->small_->raw_deleter()(p);
}

}  // namespace

void InstallCpuCacheAllocator() {
#if defined(__SANITIZE_ADDRESS__)
  return;
#else
  static std::once_flag once;
  std::call_once(once, [] {
    const char* choice = std::getenv("RESNET_NATIVE_CPU_ALLOCATOR");
    if (choice != nullptr && std::strcmp(choice, "system") == 0) return;
    // Never destroyed: tensors may be freed while the process exits.
    instance = new CpuCacheAllocator(c10::GetCPUAllocator());
    c10::SetCPUAllocator(instance, /*priority=*/1);
  });
#endif
}

size_t CpuCachedBytes() { return instance == nullptr ? 0 : instance->KeptBytes(); }

void EmptyCpuCache() {
  if (instance != nullptr) instance->Empty();
}

}  // namespace rn
