// Replays run on one native thread, not on libuv's pool. libgomp keeps one thread team per
// thread that starts a parallel region; with libuv's four pool threads taking turns, each call
// could land on a thread whose team had to be built (and at::set_num_threads on every call
// rebuilt it), and idle teams spun beside the JavaScript thread's own. One executor means one
// team, and nothing of libuv's pool (fs, dns, zlib) is held by inference.
// The executor thread retires once it has been idle for kLinger, and the next replay starts a
// new one. While a second team exists, libgomp manages more threads than there are CPUs and
// throttles the spinning of *every* team (100 spins instead of 300,000 before a futex sleep), so
// a synchronous forward on the JavaScript thread woke its workers by futex between ops and ran
// 1.35-1.48x slower after any replay, sleeping or not (bench/results/forward-async-slowdown.md).
// libgomp frees a team only when its master thread exits; retiring the thread is what removes it.
// Back-to-back replays (a Trainer's steps, a busy server) keep one thread and one team.
// Results come back through a thread-safe function, one per environment.
// A server sets a niceness for the executor (setReplayNice): its thread, and the OpenMP workers
// it starts (Linux threads inherit their creator's nice), then lose the CPU to the JavaScript
// thread whenever both want it, so the event loop answers (/healthz) while a batch computes.
// It is applied when an executor thread starts: an unprivileged thread may raise its nice but
// not lower it, and a retired thread's successor starts from the JavaScript thread's.
// A program on a GPU runs on the device and the stream that were current on the JavaScript
// thread when it was called: the executor thread's own current device is 0 and its current
// stream is its own, so without this a program on cuda:1 would launch on the wrong device, and
// its kernels would not be ordered after the work JavaScript queued before the call.
#include <ATen/Parallel.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <node_api.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "busy.h"
#include "capture_js.h"
#include "instance.h"
#include "warnings.h"

namespace rn {

struct Completions {
  napi_threadsafe_function tsfn = nullptr;
  int pending = 0;  // JS thread only
};

namespace {

std::atomic<int> replay_nice{0};  // process-wide, as the executor is

// The device a program runs on: that of its first input (or, without one on a device, its first
// constant) that is not on the CPU; nothing for a CPU program.
std::optional<c10::Stream> CallerStream(const Program& p, const std::vector<at::Tensor>& inputs) {
  std::optional<at::Device> device;
  for (const at::Tensor& t : inputs)
    if (!device && t.defined() && !t.is_cpu()) device = t.device();
  for (const auto& constant : p.constants)
    if (!device && constant.second.defined() && !constant.second.is_cpu()) device = constant.second.device();
  if (!device) return std::nullopt;
  return c10::impl::getDeviceGuardImpl(device->type())->getStream(*device);
}

class Executor {
 public:
  static Executor& Get() {
    static Executor* executor = new Executor();  // never destroyed: outlives every environment
    return *executor;
  }
  void Submit(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
    if (running_) {
      ready_.notify_one();
    } else {
      running_ = true;
      std::thread([this] { Loop(); }).detach();
    }
  }

 private:
  // Long enough to keep one thread through a run of back-to-back replays, short enough that a
  // synchronous forward right after the last one runs unthrottled for nearly all of its time.
  static constexpr std::chrono::milliseconds kLinger{2};

  void Loop() {
    if (const int nice = replay_nice.load()) {
      // Best effort: where the system refuses, replays run at the JavaScript thread's priority.
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
    }
    at::init_num_threads();
    CollectWarnings();
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!ready_.wait_for(lock, kLinger, [this] { return !queue_.empty(); })) {
          running_ = false;  // idle: exit, and libgomp frees this thread's team with it
          return;
        }
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool running_ = false;  // a thread is in Loop(); guarded by mutex_
};

struct Job {
  std::shared_ptr<const Program> program;
  std::vector<at::Tensor> inputs;
  std::vector<double> numbers;
  bool read_items = false;
  int threads = 1;
  std::optional<c10::Stream> stream;  // the caller's current stream, for a program on a GPU
  std::vector<at::Tensor> outputs;
  std::vector<double> items;
  bool failed = false;
  ErrorKind kind = ErrorKind::Torch;
  std::string message;
  std::vector<std::string> warnings;  // libtorch's, raised during the replay
  napi_deferred deferred = nullptr;
  std::shared_ptr<Completions> completions;
};

void Execute(Job* job) {
  try {
    // OpenMP's thread count is per thread: follow the process setting, and only when it changed
    // (setting it rebuilds this thread's team).
    if (at::get_num_threads() != job->threads) at::set_num_threads(job->threads);
    c10::OptionalStreamGuard on_stream;  // sets the device and its stream; nothing on the CPU
    if (job->stream.has_value()) on_stream.reset_stream(*job->stream);
    job->outputs = job->program->Run(std::move(job->inputs), job->numbers);
    if (job->read_items) {
      // The loss as a number, read here so the JavaScript thread never blocks on it.
      for (const at::Tensor& t : job->outputs)
        job->items.push_back(t.defined() && t.numel() == 1 ? t.item<double>() : std::nan(""));
    }
  } catch (...) {
    job->failed = true;
    std::tie(job->kind, job->message) = DescribeCurrentException();
    job->outputs.clear();
  }
  job->warnings = TakeWarnings();
  job->inputs.clear();
  busy::Release(*job->program);
  job->program.reset();
  if (napi_call_threadsafe_function(job->completions->tsfn, job, napi_tsfn_blocking) != napi_ok) delete job;
}

// On the JavaScript thread: settle the promise.
void Complete(napi_env raw_env, napi_value, void*, void* data) {
  auto* job = static_cast<Job*>(data);
  if (raw_env == nullptr) {  // the environment is shutting down
    delete job;
    return;
  }
  Napi::Env env(raw_env);
  Napi::HandleScope scope(env);
  if (--job->completions->pending == 0) napi_unref_threadsafe_function(raw_env, job->completions->tsfn);
  EmitWarnings(env, job->warnings);
  if (job->failed) {
    napi_reject_deferred(raw_env, job->deferred, MakeError(env, job->kind, job->message).Value());
  } else {
    Napi::Array tensors = Napi::Array::New(env, job->outputs.size());
    for (size_t i = 0; i < job->outputs.size(); ++i)
      tensors.Set(static_cast<uint32_t>(i), Wrap(env, job->outputs[i]));
    Napi::Array result = Napi::Array::New(env, 2);
    result.Set(0u, tensors);
    if (job->read_items) {
      Napi::Array items = Napi::Array::New(env, job->items.size());
      for (size_t i = 0; i < job->items.size(); ++i) items.Set(static_cast<uint32_t>(i), job->items[i]);
      result.Set(1u, items);
    } else {
      result.Set(1u, env.Null());
    }
    napi_resolve_deferred(raw_env, job->deferred, result);
  }
  delete job;
}

// runCaptured(program, inputs, numbers, readItems) → Promise<[handles, items | null]>. The job
// holds the program (and so its constants) and the inputs: dispose() on the JavaScript side
// meanwhile frees nothing under it.
Napi::Value RunCaptured(const Napi::CallbackInfo& info) {
  Args a(info);
  Napi::Env env = a.env();
  auto job = std::make_unique<Job>();
  job->program = ProgramArg(a, 0);
  job->inputs = a.TensorList(1, "inputs");
  if (!a[2].IsArray()) a.Fail("numbers", "an array of numbers", 2);
  Napi::Array numbers = a[2].As<Napi::Array>();
  for (uint32_t i = 0; i < numbers.Length(); ++i) {
    Napi::Value v = numbers.Get(i);
    if (!v.IsNumber()) a.Fail("numbers", "an array of numbers", 2);
    job->numbers.push_back(v.As<Napi::Number>().DoubleValue());
  }
  job->read_items = a.Bool(3, "readItems");
  job->threads = at::get_num_threads();
  job->stream = CallerStream(*job->program, job->inputs);
  job->completions = GetInstance(env)->completions;
  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &job->deferred, &promise), Napi::Value());
  if (job->completions->pending++ == 0) napi_ref_threadsafe_function(env, job->completions->tsfn);
  busy::Acquire(*job->program);
  Job* raw = job.release();
  Executor::Get().Submit([raw] { Execute(raw); });
  return Napi::Value(env, promise);
}

// setReplayNice(n): the niceness (0-19) of executor threads started from now on.
Napi::Value SetReplayNice(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t n = a.Int(0, "nice");
  if (n < 0 || n > 19) a.Fail("nice", "an integer from 0 to 19", 0);
  replay_nice.store(static_cast<int>(n));
  return a.env().Undefined();
}

Napi::Value GetReplayNice(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), replay_nice.load());
}

}  // namespace

void RegisterExecutor(Napi::Env env, Napi::Object exports) {
  auto completions = std::make_shared<Completions>();
  napi_value name = Napi::String::New(env, "resnet-native:replay");
  NAPI_THROW_IF_FAILED_VOID(
      env, napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, nullptr,
                                           Complete, &completions->tsfn));
  napi_unref_threadsafe_function(env, completions->tsfn);  // idle, it must not keep the process alive
  GetInstance(env)->completions = completions;
  Export(env, exports, "runCaptured", RunCaptured);
  Export(env, exports, "setReplayNice", SetReplayNice);
  Export(env, exports, "getReplayNice", GetReplayNice, Policy::Query);
}

}  // namespace rn
