// Entry point: registers exports only. Each concern lives in its own file.
#include <napi.h>

#include "capture_js.h"
#include "cpu_cache_allocator.h"
#include "devices.h"
#include "distributed/register.h"
#include "instance.h"
#include "registry.h"
#include "tensor.h"
#include "warnings.h"

namespace rn {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  CollectWarnings();
  InstallCpuCacheAllocator();
  auto* data = new InstanceData();
  env.SetInstanceData(data);  // deleted by node-addon-api when this environment ends
  RegisterRuntime(env, exports);
  RegisterDevices(env, exports);
  RegisterVersion(env, exports);
  RegisterCreate(env, exports);
  RegisterReadback(env, exports);
  RegisterPointwise(env, exports);
  RegisterReduce(env, exports);
  RegisterShape(env, exports);
  RegisterNN(env, exports);
  RegisterLoss(env, exports);
  RegisterForeach(env, exports);
  RegisterAutograd(env, exports);
  RegisterAutocast(env, exports);
  RegisterAmp(env, exports);
  RegisterCapture(env, exports);
  RegisterExecutor(env, exports);
  RegisterFast(env, exports);
  RegisterDist(env, exports);  // nothing in a build without Gloo's headers
  return exports;
}

}  // namespace rn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return rn::Init(env, exports); }

NODE_API_MODULE(resnet_native, InitAddon)
