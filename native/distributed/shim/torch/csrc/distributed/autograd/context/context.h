// Debian's libtorch 1.13 headers leave out torch/csrc/distributed/autograd/, which c10d's
// reducer.hpp includes for two names only: the type of a gradient callback (checked with a
// static_assert) and a shared pointer to a distributed-autograd context it holds and never
// needs us to look into. Used only when the libtorch's own header is missing (CMakeLists.txt);
// the class stays incomplete to us, as to the Reducer's inline code.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
