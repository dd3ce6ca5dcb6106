// libtorch's autocast state (the dispatcher's AutocastCPU / AutocastCUDA keys, as
// torch.autocast sets them), which is thread-local: a captured program records the state it
// was captured under and its replay, on the executor thread, runs under the same state.
#pragma once
#include <c10/core/ScalarType.h>

namespace rn {

struct AutocastState {
  bool cpu_enabled = false;
  at::ScalarType cpu_dtype = at::kBFloat16;
  bool cuda_enabled = false;
  at::ScalarType cuda_dtype = at::kHalf;

  // This thread's state now.
  static AutocastState Current();
  // Makes it this thread's state (enabled flags and dtypes; not the nesting count).
  void Apply() const;
  bool Any() const { return cpu_enabled || cuda_enabled; }
};

// Runs its lifetime under `state` on this thread, counted as one autocast region (as
// torch.autocast's __enter__/__exit__): the thread's previous state comes back on exit, even
// when an exception leaves, and the cache of cast weights is cleared when the outermost
// region ends.
class AutocastScope {
 public:
  explicit AutocastScope(const AutocastState& state);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  AutocastState previous_;
};

}  // namespace rn
