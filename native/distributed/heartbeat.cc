#include "distributed/heartbeat.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace rn {
namespace dist {
namespace {

constexpr auto kPeriod = std::chrono::milliseconds(500);

struct Beat {
  int64_t count = -1;
  int64_t step = -1;
};

struct Heart {
  std::string addr;
  int port = 0;
  int rank = 0;
  int world = 1;
  std::atomic<int64_t> step{0};
};
Heart* heart = nullptr;  // never deleted: its thread lives with the process
std::mutex diagnose_mutex;

std::string Key(int rank) { return "rn/heartbeat/" + std::to_string(rank); }

c10::intrusive_ptr<c10d::TCPStore> Connect(std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions so;
  so.port = static_cast<std::uint16_t>(heart->port);
  so.isServer = false;
  so.waitWorkers = false;
  so.timeout = timeout;
  return c10::make_intrusive<c10d::TCPStore>(heart->addr, so);
}

void Write(c10d::Store& store, int64_t count) {
  const std::string value = std::to_string(count) + ":" + std::to_string(heart->step.load());
  store.set(Key(heart->rank), std::vector<uint8_t>(value.begin(), value.end()));
}

std::optional<Beat> Read(c10d::Store& store, int rank) {
  if (!store.check({Key(rank)})) return std::nullopt;
  std::vector<uint8_t> raw = store.get(Key(rank));
  std::string value(raw.begin(), raw.end());
  Beat b;
  const size_t colon = value.find(':');
  b.count = std::stoll(value.substr(0, colon));
  b.step = colon == std::string::npos ? -1 : std::stoll(value.substr(colon + 1));
  return b;
}

std::string Join(const std::vector<int>& ranks) {
  std::string out;
  for (size_t i = 0; i < ranks.size(); ++i) out += (i == 0 ? "" : ", ") + std::to_string(ranks[i]);
  return out;
}

}  // namespace

void StartHeartbeat(const std::string& addr, int port, int rank, int world, std::chrono::milliseconds timeout) {
  heart = new Heart{addr, port, rank, world};
  auto store = Connect(timeout);
  Write(*store, 0);  // before init returns: a peer's diagnosis always finds this key
  std::thread([store] {
    for (int64_t count = 1;; ++count) {
      std::this_thread::sleep_for(kPeriod);
      try {
        Write(*store, count);
      } catch (...) {
        return;  // the store (rank 0) is gone; the next collective reports it
      }
    }
  }).detach();
}

void NoteStep(int64_t step) {
  if (heart != nullptr) heart->step.store(step);
}

std::string DiagnosePeers() {
  if (heart == nullptr) return "the process group was not initialized";
  std::lock_guard<std::mutex> lock(diagnose_mutex);
  std::map<int, std::optional<Beat>> first, second;
  try {
    auto store = Connect(std::chrono::seconds(5));
    for (int r = 0; r < heart->world; ++r)
      if (r != heart->rank) first[r] = Read(*store, r);
    std::this_thread::sleep_for(4 * kPeriod);
    for (int r = 0; r < heart->world; ++r)
      if (r != heart->rank) second[r] = Read(*store, r);
  } catch (const std::exception&) {
    return "lost rank 0: the rendezvous store it hosts cannot be reached (its process died or its machine is "
           "unreachable)";
  }
  std::vector<int> dead, hung;
  int64_t ahead = heart->step.load();
  for (const auto& [r, b] : second)
    if (b) ahead = std::max(ahead, b->step);
  std::ostringstream detail;
  for (const auto& [r, b] : second) {
    const auto& a = first[r];
    if (!b || (a && a->count == b->count)) {
      dead.push_back(r);
    } else if (b->step < ahead) {
      hung.push_back(r);
      detail << "; rank " << r << " is at step " << b->step << ", others at " << ahead;
    }
  }
  if (!dead.empty())
    return "lost rank " + Join(dead) + ": its heartbeat stopped (the process died or is stopped, or its machine is unreachable)";
  if (!hung.empty())
    return "rank " + Join(hung) + " is hung: alive but did not reach the collective within the timeout" + detail.str();
  return "every rank is alive and at the same step: the collective took longer than the timeout";
}

}  // namespace dist
}  // namespace rn
