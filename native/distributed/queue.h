// One native thread on which this process's collectives are issued and waited for, in the
// order JavaScript called them (every rank must issue collectives in the same order), with
// promises settled back on the JavaScript thread. The JavaScript thread never waits on a peer.
#pragma once
#include <napi.h>

#include <functional>

namespace rn {
namespace dist {

// Builds the promise's value on the JavaScript thread, from what the job computed.
using Settle = std::function<Napi::Value(Napi::Env)>;

// Runs `job` on the collectives thread; the promise resolves with its Settle's value, or
// rejects with the library's error for what it threw.
Napi::Value Schedule(Napi::Env env, std::function<Settle()> job);

}  // namespace dist
}  // namespace rn
