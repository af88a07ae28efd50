#include "core/model_reaper.h"

#include <memory>
#include <new>

namespace inferd {

ModelReaper::ModelReaper(std::function<void(const Model*)> on_destroyed)
    : on_destroyed_(std::move(on_destroyed)), state_(std::make_shared<State>()), thread_([this] { Run(); }) {}

ModelReaper::~ModelReaper() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
  }
  state_->changed.notify_all();
  thread_.join();
}

std::shared_ptr<Model> ModelReaper::Adopt(std::unique_ptr<Model> model) {
  {
    std::lock_guard lock(state_->mutex);
    state_->live.insert(model.get());
  }
  // The deleter keeps the state, not the reaper: a handle may outlive it.
  return std::shared_ptr<Model>(model.release(), [state = state_](Model* doomed) { Release(state, doomed); });
}

void ModelReaper::Release(const std::shared_ptr<State>& state, Model* model) {
  {
    std::lock_guard lock(state->mutex);
    if (!state->stopped) {
      state->doomed.push_back(model);
      state->changed.notify_all();
      return;
    }
  }
  std::destroy_at(model);  // the reaper is gone (shutdown): nothing else can do it
  {
    std::lock_guard lock(state->mutex);
    state->live.erase(model);
    state->changed.notify_all();
  }
  ::operator delete(model);
}

void ModelReaper::Run() {
  std::unique_lock lock(state_->mutex);
  for (;;) {
    state_->changed.wait(lock, [this] { return !state_->doomed.empty() || state_->stopped; });
    if (state_->doomed.empty()) return;  // stopped, nothing left
    Model* model = state_->doomed.front();
    state_->doomed.pop_front();
    lock.unlock();
    // Destroyed (its scheduler stopped, its instances freed), but its memory
    // is given back only once every record of it is gone: until then no new
    // model can take its address, which identifies it in those records.
    std::destroy_at(model);
    if (on_destroyed_) on_destroyed_(model);
    lock.lock();
    state_->live.erase(model);
    state_->changed.notify_all();
    lock.unlock();
    ::operator delete(model);
    lock.lock();
  }
}

void ModelReaper::AwaitDestroyed(const std::vector<const Model*>& models) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait(lock, [&] {
    for (const Model* model : models) {
      if (state_->live.contains(model)) return false;
    }
    return true;
  });
}

size_t ModelReaper::Live() const {
  std::lock_guard lock(state_->mutex);
  return state_->live.size();
}

}  // namespace inferd
