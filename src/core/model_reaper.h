// ModelReaper: where loaded model versions are destroyed, once their last
// handle is gone.
//
// A model version is shared (std::shared_ptr<Model>, "a handle") by the
// registry while it is listed and by every request that was accepted for it,
// from Server::Infer until its response has been delivered. Unloading a
// version only drops the registry's handle: new requests no longer find it,
// accepted ones finish, and the version is destroyed when the last handle
// goes. That last release usually happens on one of the model's own
// scheduler threads (a response is a request's last use), where destroying
// the model would join that thread from itself; so the handles' deleter
// hands the model to this reaper's thread instead.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/model.h"

namespace inferd {

class ModelReaper {
 public:
  // `on_destroyed` (optional) runs on the reaper's thread after each model
  // is destroyed, with its former address as an identity only.
  explicit ModelReaper(std::function<void(const Model*)> on_destroyed = {});
  // Destroys every model already handed over, then stops the thread. Handles
  // released after that destroy their model on the releasing thread.
  ~ModelReaper();
  ModelReaper(const ModelReaper&) = delete;
  ModelReaper& operator=(const ModelReaper&) = delete;

  // The first handle of `model`; when its last copy goes, the model is
  // destroyed on the reaper's thread.
  std::shared_ptr<Model> Adopt(std::unique_ptr<Model> model);

  // Blocks until each of `models` (taken from their handles while those
  // lived) has been destroyed.
  void AwaitDestroyed(const std::vector<const Model*>& models);

  // Models adopted and not yet destroyed.
  size_t Live() const;

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Model*> doomed;      // handed over, not yet destroyed
    std::set<const Model*> live;  // adopted, not yet destroyed
    bool stopped = false;
  };
  static void Release(const std::shared_ptr<State>& state, Model* model);
  void Run();

  std::function<void(const Model*)> on_destroyed_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace inferd
