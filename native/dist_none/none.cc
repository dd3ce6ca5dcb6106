// Built in place of native/dist/ when Gloo's headers are missing: no distributed exports.
#include "dist/register.h"

namespace rn {
void RegisterDist(Napi::Env, Napi::Object) {}
}  // namespace rn
