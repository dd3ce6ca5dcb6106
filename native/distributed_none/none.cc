// Built in place of native/distributed/ when Gloo's headers are missing: no distributed exports.
#include "distributed/register.h"

namespace rn {
void RegisterDist(Napi::Env, Napi::Object) {}
}  // namespace rn
