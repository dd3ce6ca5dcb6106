#pragma once
#include <napi.h>

#include <memory>

#include "args.h"
#include "capture.h"

namespace rn {
// The program behind argument i (a handle from endCapture); throws a JS error otherwise.
std::shared_ptr<const Program> ProgramArg(const Args& a, size_t i);
// A ProgramHandle owning `p`.
Napi::Value WrapProgram(Napi::Env env, std::shared_ptr<const Program> p);
void RegisterFast(Napi::Env env, Napi::Object exports);
void RegisterCapture(Napi::Env env, Napi::Object exports);
void RegisterExecutor(Napi::Env env, Napi::Object exports);
}  // namespace rn
