#include "op.h"

namespace rn {

namespace {
bool IsDynamic(const Napi::Value& v) { return v.IsObject() && v.As<Napi::Object>().Has("dynamicSlot"); }
}  // namespace

int DynamicSlot(const Args& a, size_t i) {
  Napi::Value v = a[i];
  if (!IsDynamic(v)) return -1;
  int64_t slot = -1;
  // DynamicValue, called before this by the reader, has checked the slot against the capture.
  if (!ReadSafeInteger(v.As<Napi::Object>().Get("dynamicSlot"), &slot) || slot < 0 || slot > INT32_MAX)
    a.Fail("dynamicSlot", "a per-call number slot (an integer)", i);
  return static_cast<int>(slot);
}

double DynamicValue(const Args& a, size_t i, const char* name) {
  Napi::Value v = a[i];
  Recorder* rec = GetInstance(a.env())->recorder.get();
  if (!IsDynamic(v) || rec == nullptr) a.Fail(name, "a number", i);
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value slot = o.Get("dynamicSlot");
  Napi::Value value = o.Get("value");
  int64_t k = 0;
  if (!ReadSafeInteger(slot, &k) || !value.IsNumber()) a.Fail(name, "a number", i);
  if (k < 0 || k >= rec->numbers())
    Throw(a.env(), ErrorKind::Argument,
          "Per-call number slot " + std::to_string(k) + " for " + name + " is outside the capture's " +
              std::to_string(rec->numbers()) + " numbers");
  rec->UseSlot(static_cast<int>(k));
  return value.As<Napi::Number>().DoubleValue();
}

void Diverged(const char* op) {
  Fail(ErrorKind::Argument,
       std::string("The captured program no longer matches what its JavaScript would do: ") + op +
           "() returned a tensor where the capture saw none, or the reverse (for example a gradient that "
           "appeared). Capture again");
}

}  // namespace rn
