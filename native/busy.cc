#include "busy.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "capture.h"

namespace rn {
namespace busy {
namespace {

struct Uses {
  int readers = 0;
  int writers = 0;
};

std::atomic<int> active{0};
std::mutex mutex;
std::condition_variable released;
std::unordered_map<const void*, Uses> uses;  // by storage, shared by every environment

}  // namespace

bool Active() { return active.load(std::memory_order_acquire) > 0; }

void Acquire(const Program& p) {
  std::lock_guard<std::mutex> lock(mutex);
  for (const void* s : p.read_storages) ++uses[s].readers;
  for (const void* s : p.written_storages) ++uses[s].writers;
  active.fetch_add(1, std::memory_order_release);
}

void Release(const Program& p) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto drop = [](const void* s, int Uses::*field) {
      auto it = uses.find(s);
      if (it == uses.end()) return;
      --(it->second.*field);
      if (it->second.readers == 0 && it->second.writers == 0) uses.erase(it);
    };
    for (const void* s : p.read_storages) drop(s, &Uses::readers);
    for (const void* s : p.written_storages) drop(s, &Uses::writers);
    active.fetch_sub(1, std::memory_order_release);
  }
  released.notify_all();
}

void WaitFor(const at::Tensor& t, bool write) {
  if (!t.defined() || !t.has_storage()) return;
  const void* s = t.storage().unsafeGetStorageImpl();
  std::unique_lock<std::mutex> lock(mutex);
  released.wait(lock, [&] {
    auto it = uses.find(s);
    return it == uses.end() || (it->second.writers == 0 && (!write || it->second.readers == 0));
  });
}

}  // namespace busy
}  // namespace rn
