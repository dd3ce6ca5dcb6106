// The process group of this process (one per process, as torch.distributed's default group):
// a c10d TCPStore for the rendezvous and c10d's Gloo backend for CPU tensors (and NCCL for
// CUDA tensors in a libtorch that has it). Everything here blocks: callers run it off the
// JavaScript thread (native/distributed/queue.cc, or the executor thread during a training step).
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rn {
namespace dist {

struct InitOptions {
  std::string addr;  // MASTER_ADDR: where rank 0's TCPStore listens
  int port = 29500;  // MASTER_PORT
  int rank = 0;
  int world = 1;
  std::string backend = "gloo";  // "gloo" or "nccl"
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

// Joins the job: rendezvous, then the backend's own connection setup. Throws OpError
// (Distributed) with the cause; calling it twice is an error.
void Init(const InitOptions& options);
bool Initialized();
int Rank();
int World();
std::chrono::milliseconds Timeout();
// Whether this libtorch build can run `backend` ("gloo", "nccl").
bool HasBackend(const std::string& backend);

// The group for collectives and for c10d::Reducer (throws before Init).
c10::intrusive_ptr<c10d::ProcessGroup> Group();

// Waits for `work` within the group's timeout. A failure (a peer gone, a timeout) becomes a
// Distributed OpError that names the lost or hung rank, found through the store's heartbeats.
void Wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what);
[[noreturn]] void FailCollective(const char* what, const std::string& cause);


}  // namespace dist
}  // namespace rn
