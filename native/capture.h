// Capture and replay. While JavaScript runs a module's eager forward (or a whole training
// step), a Recorder notes every declared op it calls (native/op.h): the kernel, its
// non-tensor arguments, and which earlier output, program input or outside tensor (a
// parameter, a buffer: a "constant") each tensor argument was. Finish() turns the record into
// a Program that replays the same kernels, in the same order, with no JavaScript involved:
// the eager code stays the only description of the network (as tinygrad's TinyJit).
#pragma once
#include <ATen/core/Tensor.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "autocast.h"
#include "errors.h"

namespace rn {

// The registers of one replay, and the per-call numbers (learning rates, ...) it was given.
struct Frame {
  std::vector<at::Tensor> regs;
  const std::vector<double>* numbers = nullptr;
};

// One argument of a recorded step, as program passes (native/fast/) read it: a register, a
// number, a list of integers. Arguments no pass needs to see (strings, dtypes, per-call
// numbers) are Other.
struct StepArg {
  enum class Kind { Other, None, Reg, Regs, Int, Ints, Real, Bool };
  Kind kind = Kind::Other;
  int64_t i = 0;  // Reg, Int, Bool
  double real = 0;
  std::vector<int64_t> ints;  // Ints, Regs
};

struct Step {
  const char* name = "";
  std::function<void(Frame&)> run;  // calls the kernel on registers, writes its outputs
  std::vector<int> reads;
  std::vector<int> writes;    // output registers (an in-place op writes its first argument's)
  std::vector<StepArg> args;  // in the op's declared order
};

// The signature of a tensor that a program was captured for.
struct TensorSignature {
  std::vector<int64_t> sizes, strides;
  at::ScalarType dtype;
  at::Device device;
  bool requires_grad;
  TensorSignature() : dtype(at::ScalarType::Undefined), device(at::kCPU), requires_grad(false) {}
  explicit TensorSignature(const at::Tensor& t);
  bool Matches(const at::Tensor& t) const;
};

struct Program {
  std::vector<TensorSignature> inputs;  // registers 0 .. inputs.size()-1
  int numbers = 0;                      // how many per-call numbers a replay takes
  int registers = 0;
  bool grad_mode = false;  // the grad mode the capture ran in
  AutocastState autocast;  // the autocast state it began in (thread-local: replays set it again)
  std::vector<Step> steps;
  std::vector<std::pair<int, at::Tensor>> constants;
  std::vector<int> outputs;
  std::vector<TensorSignature> signatures;    // of each register as the capture saw it
  std::vector<std::vector<int>> frees;        // registers whose last read is step i
  std::vector<const void*> read_storages;     // storages a replay reads (constants)
  std::vector<const void*> written_storages;  // storages a replay changes in place

  // Runs on any thread; throws OpError or c10::Error.
  std::vector<at::Tensor> Run(std::vector<at::Tensor> inputs, const std::vector<double>& numbers) const;
};

// Computes p.frees for p's steps: each intermediate is dropped after its last read, so a replay
// holds no more activations than the eager run did. Inputs, constants and outputs stay.
void PlanFrees(Program& p);

class Recorder {
 public:
  Recorder(const std::vector<at::Tensor>& inputs, int numbers);

  // The register of a tensor argument: an input, an earlier output, or a new constant.
  int Read(const at::Tensor& t);
  // A new register for an op's output (in-place outputs keep their register).
  int Write(const at::Tensor& t);
  // Marks the storage of register `reg` as changed in place by the program.
  void Mutated(int reg);
  int numbers() const { return numbers_; }
  // Notes that a per-call number slot was read (endCapture checks the final count covers it).
  void UseSlot(int slot) { used_numbers_ = std::max(used_numbers_, slot + 1); }
  int used_numbers() const { return used_numbers_; }
  // Appends a step whose reads are the Read() calls since the last Add.
  void Add(const char* name, std::function<void(Frame&)> run, std::vector<int> writes = {},
           std::vector<StepArg> args = {});
  // `numbers`: how many per-call numbers a replay takes (at least used_numbers()).
  std::shared_ptr<const Program> Finish(const std::vector<at::Tensor>& outputs, int numbers);

 private:
  std::shared_ptr<Program> program_ = std::make_shared<Program>();
  std::unordered_map<const c10::TensorImpl*, int> register_of_;
  // Weak references to the tensors the program made: no address is reused mid-capture (a
  // TensorImpl's memory stays until its last weak reference goes), but each tensor's storage is
  // freed once nothing else holds it, so a capture peaks at the eager run's memory instead of
  // holding every intermediate to the end. Outside tensors are held by the program's constants.
  std::vector<c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>> seen_;
  std::vector<int> pending_reads_;
  std::vector<int> mutated_;
  int numbers_;
  int used_numbers_ = 0;
};

}  // namespace rn
