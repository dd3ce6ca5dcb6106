#include "capture.h"

#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace rn {

TensorSignature::TensorSignature(const at::Tensor& t)
    : sizes(t.sizes().vec()),
      strides(t.strides().vec()),
      dtype(t.scalar_type()),
      device(t.device()),
      requires_grad(t.requires_grad()) {}

bool TensorSignature::Matches(const at::Tensor& t) const {
  // Checked on every replay: compare in place, without copying sizes and strides.
  return t.defined() && t.sizes().equals(sizes) && t.strides().equals(strides) && t.scalar_type() == dtype &&
         t.device() == device && t.requires_grad() == requires_grad;
}

Recorder::Recorder(const std::vector<at::Tensor>& inputs, int numbers) : numbers_(numbers) {
  program_->numbers = numbers;
  program_->grad_mode = at::GradMode::is_enabled();
  program_->autocast = AutocastState::Current();
  for (const at::Tensor& t : inputs) {
    program_->inputs.emplace_back(t);
    Write(t);
  }
  pending_reads_.clear();
}

int Recorder::Read(const at::Tensor& t) {
  auto it = register_of_.find(t.unsafeGetTensorImpl());
  int reg;
  if (it != register_of_.end()) {
    reg = it->second;
  } else {
    // Not made by the program: a parameter, buffer or other outside tensor. The program holds
    // the tensor itself (not a copy), so later in-place updates and set_data are seen.
    reg = program_->registers++;
    register_of_[t.unsafeGetTensorImpl()] = reg;
    program_->constants.emplace_back(reg, t);
    program_->signatures.emplace_back(t);
  }
  pending_reads_.push_back(reg);
  return reg;
}

int Recorder::Write(const at::Tensor& t) {
  const int reg = program_->registers++;
  program_->signatures.push_back(t.defined() ? TensorSignature(t) : TensorSignature());
  if (t.defined()) {
    register_of_[t.unsafeGetTensorImpl()] = reg;
    seen_.emplace_back(t.getIntrusivePtr());
  }
  return reg;
}

void Recorder::Mutated(int reg) { mutated_.push_back(reg); }

void Recorder::Add(const char* name, std::function<void(Frame&)> run, std::vector<int> writes,
                   std::vector<StepArg> args) {
  Step step;
  step.name = name;
  step.run = std::move(run);
  step.writes = std::move(writes);
  step.args = std::move(args);
  step.reads = std::move(pending_reads_);
  pending_reads_.clear();
  program_->steps.push_back(std::move(step));
}

namespace {
const void* StorageOf(const at::Tensor& t) {
  return t.has_storage() ? static_cast<const void*>(t.storage().unsafeGetStorageImpl()) : nullptr;
}
}  // namespace

void PlanFrees(Program& p) {
  std::vector<int> last(p.registers, -1);
  for (size_t i = 0; i < p.steps.size(); ++i)
    for (int r : p.steps[i].reads) last[r] = static_cast<int>(i);
  std::vector<bool> constant(p.registers, false);
  for (const auto& c : p.constants) constant[c.first] = true;
  p.frees.assign(p.steps.size(), {});
  for (int r = static_cast<int>(p.inputs.size()); r < p.registers; ++r) {
    const bool output = std::find(p.outputs.begin(), p.outputs.end(), r) != p.outputs.end();
    if (last[r] >= 0 && !constant[r] && !output) p.frees[last[r]].push_back(r);
  }
}

std::shared_ptr<const Program> Recorder::Finish(const std::vector<at::Tensor>& outputs, int numbers) {
  Program& p = *program_;
  p.numbers = numbers;
  pending_reads_.clear();
  for (const at::Tensor& t : outputs) p.outputs.push_back(t.defined() ? Read(t) : -1);
  pending_reads_.clear();
  PlanFrees(p);
  std::unordered_map<int, const void*> constant_storage;
  for (const auto& [reg, t] : p.constants) {
    if (const void* s = StorageOf(t)) {
      p.read_storages.push_back(s);
      constant_storage[reg] = s;
    }
  }
  for (int reg : mutated_) {
    auto it = constant_storage.find(reg);
    if (it != constant_storage.end()) p.written_storages.push_back(it->second);
  }
  seen_.clear();
  register_of_.clear();
  return std::move(program_);
}

namespace {
// RESNET_NATIVE_PROFILE_STEPS=1: time spent per step name over the process, printed at exit
// (for finding where a replay's time goes; not for benchmarks).
void ProfileStep(const char* name, std::chrono::steady_clock::duration d) {
  static std::mutex mutex;
  static auto* totals = new std::map<std::string, std::pair<double, int>>();
  static const bool registered = [] {
    std::atexit([] {
      for (const auto& [n, t] : *totals)
        std::fprintf(stderr, "step %-20s %10.2f ms %6d calls\n", n.c_str(), t.first, t.second);
    });
    return true;
  }();
  (void)registered;
  std::lock_guard<std::mutex> lock(mutex);
  auto& t = (*totals)[name];
  t.first += std::chrono::duration<double, std::milli>(d).count();
  t.second++;
}
}  // namespace

std::vector<at::Tensor> Program::Run(std::vector<at::Tensor> in, const std::vector<double>& nums) const {
  if (in.size() != inputs.size())
    Fail(ErrorKind::Argument, "Expected " + std::to_string(inputs.size()) +
                                  " inputs for the captured program but received " +
                                  std::to_string(in.size()));
  for (size_t i = 0; i < in.size(); ++i) {
    if (!inputs[i].Matches(in[i]))
      Fail(ErrorKind::Argument,
           "Input " + std::to_string(i) +
               " does not match the shape, strides, dtype or device the program was captured for");
  }
  if (nums.size() != static_cast<size_t>(numbers))
    Fail(ErrorKind::Argument, "Expected " + std::to_string(numbers) +
                                  " numbers for the captured program but received " +
                                  std::to_string(nums.size()));
  c10::AutoGradMode mode(grad_mode);
  AutocastScope autocast_scope(autocast);  // the executor thread's own state comes back after
  Frame f;
  f.regs.resize(registers);
  f.numbers = &nums;
  for (size_t i = 0; i < in.size(); ++i) f.regs[i] = std::move(in[i]);
  for (const auto& [reg, t] : constants) f.regs[reg] = t;
  static const bool profile = std::getenv("RESNET_NATIVE_PROFILE_STEPS") != nullptr;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto start = profile ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    steps[i].run(f);
    for (int r : frees[i]) f.regs[r].reset();
    if (profile) ProfileStep(steps[i].name, std::chrono::steady_clock::now() - start);
  }
  std::vector<at::Tensor> out;
  out.reserve(outputs.size());
  for (int r : outputs) out.push_back(r < 0 ? at::Tensor() : f.regs[r]);
  return out;
}

}  // namespace rn
