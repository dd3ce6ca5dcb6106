#include "distributed/group.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>
#if defined(RESNET_NATIVE_CUDA) && defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define RN_HAS_NCCL 1
#endif

#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "distributed/heartbeat.h"
#include "errors.h"

namespace rn {
namespace dist {
namespace {

struct State {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  int rank = 0;
  int world = 1;
  std::chrono::milliseconds timeout{0};
};

// Never deleted: a group whose peer died may block in its destructor waiting for them, and a
// process that ends must not hang there.
State* state = nullptr;
std::mutex init_mutex;

bool IsLoopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

// What a backend is: its own class from libtorch 2.0, a ProcessGroup before.
#if TORCH_VERSION_MAJOR >= 2
using BackendPtr = c10::intrusive_ptr<c10d::Backend>;
#else
using BackendPtr = c10::intrusive_ptr<c10d::ProcessGroup>;
#endif

[[noreturn]] void Refuse(const std::string& message) { Fail(ErrorKind::Torch, message); }

BackendPtr MakeGloo(const c10::intrusive_ptr<c10d::Store>& store, const InitOptions& o) {
  auto options = c10d::ProcessGroupGloo::Options::create(o.timeout);
  // On loopback every rank is here: bind to 127.0.0.1 rather than whatever the host name
  // resolves to. Otherwise, as torchrun, the address the host name resolves to.
  options->devices.push_back(IsLoopback(o.addr) ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                                : c10d::ProcessGroupGloo::createDefaultDevice());
  options->threads = 2;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.world, options);
}

#ifdef RN_HAS_NCCL
BackendPtr MakeNccl(const c10::intrusive_ptr<c10d::Store>& store, const InitOptions& o) {
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = o.timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, o.rank, o.world, options);
}
#endif

// libtorch 1.13: a backend is a ProcessGroup. 2.x: a ProcessGroup dispatches to one Backend
// per device type (Gloo for CPU tensors, NCCL for CUDA ones), as torch.distributed sets it up.
c10::intrusive_ptr<c10d::ProcessGroup> MakeGroup(const c10::intrusive_ptr<c10d::Store>& store,
                                                 const InitOptions& o) {
#if TORCH_VERSION_MAJOR >= 2
  using BackendType = c10d::ProcessGroup::BackendType;
  auto group = c10::make_intrusive<c10d::ProcessGroup>(store, o.rank, o.world);
  auto gloo = MakeGloo(c10::make_intrusive<c10d::PrefixStore>("gloo", store), o);
  group->setBackend(c10::DeviceType::CPU, BackendType::GLOO, gloo);
  group->setDefaultBackend(BackendType::GLOO);
#ifdef RN_HAS_NCCL
  if (o.backend == "nccl") {
    auto nccl = MakeNccl(c10::make_intrusive<c10d::PrefixStore>("nccl", store), o);
    group->setBackend(c10::DeviceType::CUDA, BackendType::NCCL, nccl);
    group->setDefaultBackend(BackendType::NCCL);
  }
#endif
  return group;
#else
  return MakeGloo(c10::make_intrusive<c10d::PrefixStore>("gloo", store), o);
#endif
}

}  // namespace

bool HasBackend(const std::string& backend) {
  if (backend == "gloo") return true;
#ifdef RN_HAS_NCCL
  if (backend == "nccl") return true;
#endif
  return false;
}

void Init(const InitOptions& o) {
  std::lock_guard<std::mutex> lock(init_mutex);
  if (state != nullptr) Refuse("dist.init() was already called in this process");
  if (!HasBackend(o.backend))
    Refuse("The '" + o.backend + "' backend is not in this build: its libtorch has no NCCL (a CUDA libtorch "
           "built with NCCL is needed); use 'gloo'");
  c10::intrusive_ptr<c10d::TCPStore> store;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(o.port);
    so.isServer = o.rank == 0;
    so.numWorkers = static_cast<std::size_t>(o.world);
    so.waitWorkers = true;
    so.timeout = o.timeout;
    store = c10::make_intrusive<c10d::TCPStore>(o.addr, so);
  } catch (const std::exception& e) {
    Refuse("Rank " + std::to_string(o.rank) + " could not join the rendezvous at " + o.addr + ":" +
           std::to_string(o.port) + " (world size " + std::to_string(o.world) +
           ") within the timeout: " + e.what());
  }
  StartHeartbeat(o.addr, o.port, o.rank, o.world, o.timeout);
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  try {
    group = MakeGroup(c10::make_intrusive<c10d::PrefixStore>("rn", store), o);
  } catch (const std::exception& e) {
    Refuse("Rank " + std::to_string(o.rank) + " could not connect to its peers: " + e.what());
  }
  state = new State{store, group, o.rank, o.world, o.timeout};
}

bool Initialized() { return state != nullptr; }

static const State& Live() {
  if (state == nullptr)
    Refuse("The process group is not initialized: call dist.init() first (launch with --nproc-per-node, or set "
           "MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE)");
  return *state;
}

int Rank() { return Live().rank; }
int World() { return Live().world; }
std::chrono::milliseconds Timeout() { return Live().timeout; }
c10::intrusive_ptr<c10d::ProcessGroup> Group() { return Live().group; }

void FailCollective(const char* what, const std::string& cause) {
  Refuse(std::string(what) + " failed on rank " + std::to_string(Rank()) + ": " + DiagnosePeers() +
         " (backend said: " + cause + ")");
}

void Wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  try {
    work->wait(Timeout());
  } catch (const OpError&) {
    throw;
  } catch (const std::exception& e) {
    FailCollective(what, e.what());
  }
}

}  // namespace dist
}  // namespace rn
