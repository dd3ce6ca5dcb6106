#include "fast_pass.h"

#include <ATen/ops/empty_strided.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "fast_conv.h"

namespace rn {
namespace {

using Kind = StepArg::Kind;

bool Is(const Step& s, const char* name) { return std::strcmp(s.name, name) == 0; }
bool InPlace(const Step& s) { return s.name[0] != '\0' && s.name[std::strlen(s.name) - 1] == '_'; }
bool IsReg(const StepArg& a) { return a.kind == Kind::Reg; }
bool IsOne(const StepArg& a) { return a.kind == Kind::None || (a.kind == Kind::Real && a.real == 1.0); }

// Who reads what, in the captured order; the value of a register that an in-place step
// overwrites is a new value from that step on.
class Uses {
 public:
  explicit Uses(const Program& p) : p_(p), readers_(p.registers) {
    for (size_t i = 0; i < p.steps.size(); ++i)
      for (int r : p.steps[i].reads) readers_[r].push_back(static_cast<int>(i));
    for (const auto& c : p.constants) constants_[c.first] = c.second;
  }
  // The one step that reads the value `reg` has after step `at`, or -1 (no reader, more than
  // one, or the value is a program output).
  int Sole(int reg, int at) const {
    int found = -1;
    for (int k : readers_[reg]) {
      if (k <= at) continue;
      if (found >= 0) return -1;
      found = k;
      if (Writes(p_.steps[k], reg)) return found;  // the value ends here
    }
    if (std::find(p_.outputs.begin(), p_.outputs.end(), reg) != p_.outputs.end()) return -1;
    return found;
  }
  const at::Tensor* Constant(const StepArg& a) const {
    if (!IsReg(a)) return nullptr;
    auto it = constants_.find(static_cast<int>(a.i));
    return it == constants_.end() ? nullptr : &it->second;
  }
  // An optional constant argument: true when absent or a constant (set into *t).
  bool OptionalConstant(const StepArg& a, at::Tensor* t) const {
    if (a.kind == Kind::None) return true;
    const at::Tensor* c = Constant(a);
    if (c == nullptr) return false;
    *t = *c;
    return true;
  }
  static bool Writes(const Step& s, int reg) {
    return std::find(s.writes.begin(), s.writes.end(), reg) != s.writes.end();
  }

 private:
  const Program& p_;
  std::vector<std::vector<int>> readers_;
  std::unordered_map<int, at::Tensor> constants_;
};

// A convolution and the steps folded into it, before the residual's ownership is known.
struct Fusion {
  int first = 0, last = 0;  // the conv's step and the last step folded in
  int input = -1, residual = -1, output = -1;
  std::vector<int> steps;  // the conv's and those folded into it
  ConvSources sources;
  ConvParams params;
};

bool Float4d(const TensorSignature& s) {
  return s.dtype == at::kFloat && s.device.is_cpu() && s.sizes.size() == 4;
}

// The steps between `from` and `to` change nothing in place (moving a step past them is safe).
bool NothingInPlaceBetween(const Program& p, int from, int to, const std::vector<int>& folded) {
  for (int k = from + 1; k < to; ++k)
    if (InPlace(p.steps[k]) && std::find(folded.begin(), folded.end(), k) == folded.end()) return false;
  return true;
}

std::optional<Fusion> Match(const Program& p, const Uses& uses, const std::vector<bool>& dropped, int i) {
  const Step& conv = p.steps[i];
  const auto& a = conv.args;
  if (!Is(conv, "conv2d") || a.size() != 7 || !IsReg(a[0]) || a[3].kind != Kind::Ints ||
      a[4].kind != Kind::Ints || a[5].kind != Kind::Ints || a[6].kind != Kind::Int || conv.writes.size() != 1)
    return std::nullopt;
  const at::Tensor* w = uses.Constant(a[1]);
  if (w == nullptr || !Float4d(p.signatures[a[0].i]) || w->scalar_type() != at::kFloat || w->dim() != 4 ||
      a[3].ints.size() != 2 || a[4].ints.size() != 2 || a[5].ints.size() != 2)
    return std::nullopt;
  Fusion f;
  f.first = f.last = i;
  f.input = static_cast<int>(a[0].i);
  f.sources.weight = *w;
  if (!uses.OptionalConstant(a[2], &f.sources.bias)) return std::nullopt;
  f.params.stride = a[3].ints;
  f.params.padding = a[4].ints;
  f.params.dilation = a[5].ints;
  f.params.groups = a[6].i;
  int value = conv.writes[0];
  std::vector<int> folded{i};
  auto next = [&](const char* name) -> int {
    const int j = uses.Sole(value, f.last);
    if (j < 0 || dropped[j] || !Is(p.steps[j], name) || !NothingInPlaceBetween(p, i, j, folded)) return -1;
    return j;
  };
  // batch norm in eval mode, with running statistics
  if (int j = next("batchNorm"); j >= 0) {
    const auto& b = p.steps[j].args;
    const at::Tensor* mean = b.size() == 8 ? uses.Constant(b[1]) : nullptr;
    const at::Tensor* var = mean ? uses.Constant(b[2]) : nullptr;
    if (var != nullptr && IsReg(b[0]) && b[0].i == value && b[5].kind == Kind::Bool && b[5].i == 0 &&
        b[7].kind == Kind::Real && uses.OptionalConstant(b[3], &f.sources.bn_weight) &&
        uses.OptionalConstant(b[4], &f.sources.bn_bias)) {
      f.sources.bn_mean = *mean;
      f.sources.bn_var = *var;
      f.sources.bn_eps = b[7].real;
      value = p.steps[j].writes[0];
      f.last = j;
      folded.push_back(j);
    } else {
      f.sources.bn_weight = f.sources.bn_bias = at::Tensor();
    }
  }
  // the residual add: value += other (in place), or value + other
  int j = next("add_");
  if (j < 0) j = next("add");
  if (j >= 0) {
    const auto& b = p.steps[j].args;
    int other = -1;
    if (b.size() == 3 && IsReg(b[0]) && IsReg(b[1]) && IsOne(b[2])) {
      if (b[0].i == value)
        other = static_cast<int>(b[1].i);
      else if (!InPlace(p.steps[j]) && b[1].i == value)
        other = static_cast<int>(b[0].i);
    }
    if (other >= 0 && other != value && other != f.input &&
        p.signatures[other].sizes == p.signatures[value].sizes && p.signatures[other].dtype == at::kFloat) {
      f.residual = other;
      f.params.sum = true;
      value = p.steps[j].writes[0];
      f.last = j;
      folded.push_back(j);
    }
  }
  j = next("relu_");
  if (j < 0) j = next("relu");
  if (j >= 0 && p.steps[j].args.size() == 1 && IsReg(p.steps[j].args[0]) && p.steps[j].args[0].i == value) {
    f.params.relu = true;
    value = p.steps[j].writes[0];
    f.last = j;
    folded.push_back(j);
  }
  f.output = value;
  f.steps = folded;
  return f;
}

}  // namespace

std::shared_ptr<const Program> PrepareInference(const std::shared_ptr<const Program>& source) {
  const Program& p = *source;
  if (p.grad_mode || !p.written_storages.empty() || p.signatures.size() != static_cast<size_t>(p.registers))
    return source;
  Uses uses(p);
  std::vector<std::optional<Fusion>> at_last(p.steps.size());  // a fusion, at its last step
  std::vector<bool> dropped(p.steps.size(), false);
  for (int i = 0; i < static_cast<int>(p.steps.size()); ++i) {
    if (dropped[i]) continue;
    std::optional<Fusion> f = Match(p, uses, dropped, i);
    if (!f) continue;
    for (int k : f->steps) dropped[k] = true;
    at_last[f->last] = std::move(f);
  }
  auto out = std::make_shared<Program>(p);
  out->steps.clear();
  std::vector<Fusion*> fusions;
  for (size_t i = 0; i < p.steps.size(); ++i) {
    if (at_last[i]) {
      Fusion& f = *at_last[i];
      Step s;
      s.name = f.params.sum ? "fusedConv+add" : "fusedConv";
      s.reads = {f.input};
      if (f.residual >= 0) s.reads.push_back(f.residual);
      s.writes = {f.output};
      out->steps.push_back(std::move(s));
      fusions.push_back(&f);
    } else if (!dropped[i]) {
      out->steps.push_back(p.steps[i]);
      fusions.push_back(nullptr);
    }
  }
  if (out->steps.size() == p.steps.size()) return source;
  PlanFrees(*out);
  // A residual whose last read is its fused step (and that the program made) is summed into
  // in place: no copy.
  auto pool = std::make_shared<BufferPool>();
  bool any_output = false;
  for (size_t i = 0; i < out->steps.size(); ++i) {
    Fusion* f = fusions[i];
    if (f == nullptr) continue;
    const bool output = std::find(p.outputs.begin(), p.outputs.end(), f->output) != p.outputs.end();
    any_output = any_output || output;
    f->params.pooled = !output;
    const auto& frees = out->frees[i];
    const bool owned = f->residual >= static_cast<int>(p.inputs.size()) &&
                       !uses.Constant({Kind::Reg, f->residual, 0, {}}) &&
                       std::find(frees.begin(), frees.end(), f->residual) != frees.end();
    auto conv = std::make_shared<FusedConv>(f->sources, f->params, pool);
    const int x = f->input, res = f->residual, y = f->output;
    out->steps[i].run = [conv, x, res, y, owned](Frame& fr) {
      at::Tensor residual;
      if (res >= 0) residual = owned ? std::move(fr.regs[res]) : fr.regs[res];
      const bool alone = owned && residual.use_count() == 1 && residual.storage().use_count() == 1;
      fr.regs[y] = conv->Run(fr.regs[x], std::move(residual), alone);
    };
  }
  if (any_output) {
    // Results keep the layout the eager run gave them.
    Step restore;
    restore.name = "restoreLayout";
    std::vector<std::pair<int, TensorSignature>> outs;
    for (int r : p.outputs)
      if (r >= 0) outs.emplace_back(r, p.signatures[r]);
    restore.run = [outs](Frame& fr) {
      for (const auto& [r, sig] : outs) {
        at::Tensor& t = fr.regs[r];
        if (!t.defined() || t.strides().equals(sig.strides) || !t.sizes().equals(sig.sizes)) continue;
        at::Tensor copy = at::empty_strided(sig.sizes, sig.strides, t.options());
        copy.copy_(t);
        t = copy;
      }
    };
    out->steps.push_back(std::move(restore));
    out->frees.emplace_back();
  }
  return out;
}

}  // namespace rn
