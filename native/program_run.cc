#include <ATen/ops/adaptive_avg_pool2d.h>
#include <ATen/ops/add.h>
#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/batch_norm.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/max_pool2d.h>
#include <ATen/ops/relu.h>

#include "program.h"

namespace rn {
namespace {

at::Tensor Step(const Instruction& in, const std::vector<at::Tensor>& regs) {
  const at::Tensor& x = regs[in.src];
  const auto& t = in.tensors;
  const auto& v = in.ints;
  const auto& s = in.scalars;
  switch (in.op) {
    case OpCode::Conv2d:
      return at::conv2d(x, t[0], t[1], v[0], v[1], v[2], s[0]);
    case OpCode::BatchNorm:
      // scalars[0]: training (batch statistics, running stats updated in place).
      return at::batch_norm(x, t[0], t[1], t[2], t[3], s[0] != 0, in.numbers[1], in.numbers[0], true);
    case OpCode::Relu:
      return at::relu(x);
    case OpCode::MaxPool2d:
      return at::max_pool2d(x, v[0], v[1], v[2], v[3], s[0] != 0);
    case OpCode::AvgPool2d:
      return at::avg_pool2d(x, v[0], v[1], v[2], s[0] != 0, s[1] != 0);
    case OpCode::AdaptiveAvgPool2d:
      return at::adaptive_avg_pool2d(x, v[0]);
    case OpCode::Flatten:
      return x.flatten(s[0], s[1]);
    case OpCode::Linear:
      return at::linear(x, t[0], t[1]);
    case OpCode::Add:
      return at::add(x, regs[in.src2]);
    case OpCode::Slice:
      return x.slice(s[0], s[1], s[2], s[3]);
    case OpCode::Pad:
      return at::constant_pad_nd(x, v[0], in.numbers[0]);
  }
  return at::Tensor();
}

}  // namespace

at::Tensor Program::Run(const at::Tensor& input) const {
  std::vector<at::Tensor> regs(registers);
  regs[0] = input;
  for (size_t i = 0; i < code.size(); ++i) {
    regs[code[i].dst] = Step(code[i], regs);
    // Drop intermediate activations as soon as nothing reads them again.
    for (int r : frees[i]) regs[r].reset();
  }
  return regs[output];
}

}  // namespace rn
