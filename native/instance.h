// Per-environment state (main thread and each worker_thread get their own), kept with
// napi_set_instance_data rather than statics so the addon loads in worker_threads.
#pragma once
#include <napi.h>

#include <memory>

#include "capture.h"
#include "memory_stats.h"

namespace rn {

struct InstanceData {
  Napi::FunctionReference program_ctor;
  std::unique_ptr<Recorder> recorder;               // set while a capture records (native/capture_js.cc)
  std::shared_ptr<struct Completions> completions;  // replays finishing on this thread (executor.cc)
  Napi::ObjectReference error_classes;              // { ArgumentError, ShapeError, ... } from lib/errors.ts
  std::shared_ptr<MemoryStats> stats = std::make_shared<MemoryStats>();
};

inline InstanceData* GetInstance(Napi::Env env) { return env.GetInstanceData<InstanceData>(); }

}  // namespace rn
