// Tensors in use by programs that are queued or running on the executor thread. A call from
// JavaScript that would change one of them in place (loadStateDict's copy_, to()'s set_data,
// an optimizer step), or read one that a replay writes, waits until the replay is done: a
// replay sees the weights as they were when it was called, never a mix.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace rn {
struct Program;
namespace busy {

// Whether any program holds tensors now (one atomic load: the common case costs nothing).
bool Active();
void Acquire(const Program& p);
void Release(const Program& p);
// Blocks until no queued or running program writes `t`'s storage (or, with `write`, uses it).
void WaitFor(const at::Tensor& t, bool write);

}  // namespace busy
}  // namespace rn
