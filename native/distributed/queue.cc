#include "distributed/queue.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "errors.h"

namespace rn {
namespace dist {
namespace {

class Queue {
 public:
  static Queue& Get() {
    static Queue* queue = new Queue();  // never destroyed: the thread lives with the process
    return *queue;
  }
  void Submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }

 private:
  Queue() {
    std::thread([this] {
      for (;;) {
        std::function<void()> job;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          ready_.wait(lock, [this] { return !jobs_.empty(); });
          job = std::move(jobs_.front());
          jobs_.pop_front();
        }
        job();
      }
    }).detach();
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
};

struct Outcome {
  Settle settle;
  bool failed = false;
  ErrorKind kind = ErrorKind::Torch;
  std::string message;
};

}  // namespace

Napi::Value Schedule(Napi::Env env, std::function<Settle()> job) {
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  // Referenced while the job is pending: a collective in flight keeps the process alive.
  auto done = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}),
                                            "resnet-native:dist", 0, 1);
  Queue::Get().Submit([job = std::move(job), deferred, done]() mutable {
    auto outcome = std::make_shared<Outcome>();
    try {
      outcome->settle = job();
    } catch (...) {
      outcome->failed = true;
      std::tie(outcome->kind, outcome->message) = DescribeCurrentException();
    }
    done.BlockingCall([deferred, outcome](Napi::Env env, Napi::Function) {
      if (outcome->failed) {
        deferred->Reject(MakeError(env, outcome->kind, outcome->message).Value());
        return;
      }
      try {
        deferred->Resolve(outcome->settle(env));
      } catch (const Napi::Error& e) {
        deferred->Reject(e.Value());
      }
    });
    done.Release();
  });
  return deferred->Promise();
}

}  // namespace dist
}  // namespace rn
