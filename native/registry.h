// Each source file registers its own exports; addon.cc only calls these.
#pragma once
#include <napi.h>

namespace rn {
void RegisterCreate(Napi::Env env, Napi::Object exports);
void RegisterReadback(Napi::Env env, Napi::Object exports);
void RegisterPointwise(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterLoss(Napi::Env env, Napi::Object exports);
void RegisterForeach(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterRuntime(Napi::Env env, Napi::Object exports);
void RegisterAutocast(Napi::Env env, Napi::Object exports);
void RegisterAmp(Napi::Env env, Napi::Object exports);
void RegisterVersion(Napi::Env env, Napi::Object exports);
}  // namespace rn
