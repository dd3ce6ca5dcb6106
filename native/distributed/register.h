// Distributed training's exports (native/distributed/), or none in a build without Gloo's headers
// (native/distributed_none/none.cc): then lib/dist reports what is missing.
#pragma once
#include <napi.h>

namespace rn {
void RegisterDist(Napi::Env env, Napi::Object exports);
void RegisterDdp(Napi::Env env, Napi::Object exports);
}  // namespace rn
