// A compiled inference program: the forward pass of a module tree as a flat list of
// instructions over numbered registers. It runs on libuv's thread pool (forwardAsync), so
// inference never blocks the JavaScript thread, and it runs the whole network in one
// native call, so there is no per-op crossing of the JS/C++ boundary.
#pragma once
#include <ATen/core/Tensor.h>
#include <napi.h>

#include <vector>

namespace rn {

enum class OpCode {
  Conv2d,
  BatchNorm,
  Relu,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  Flatten,
  Linear,
  Add,
  Slice,
  Pad
};

struct Instruction {
  OpCode op;
  int src = 0;
  int src2 = -1;
  int dst = 0;
  std::vector<at::Tensor> tensors;         // weight, bias, running mean, running var (as the op needs)
  std::vector<std::vector<int64_t>> ints;  // kernel, stride, padding, dilation, ...
  std::vector<int64_t> scalars;            // groups, dims, flags
  std::vector<double> numbers;             // eps and momentum, pad value
};

struct Program {
  std::vector<Instruction> code;
  int registers = 1;  // register 0 holds the input
  int output = 0;
  std::vector<std::vector<int>> frees;  // registers whose last use is instruction i

  at::Tensor Run(const at::Tensor& input) const;
};

// Defines ProgramHandle (the JS wrapper) and registers compileProgram / runProgram(Sync).
void RegisterProgram(Napi::Env env, Napi::Object exports);

}  // namespace rn
