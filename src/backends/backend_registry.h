// BackendRegistry: finds backends by name and loads their shared libraries on
// first use.
//
// Backend "x" lives in "<library_dir>/libinferd_x.so", which exports
// INFERD_BACKEND_ENTRY_POINT (see backend.h). A library that is missing or
// fails to load makes only that backend unavailable; the reason is cached so
// every model that needs the backend reports the same message and the load is
// not retried on each request. Libraries are never unloaded: tensors and
// instances they created may outlive any one user.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backends/sdk/backend.h"
#include "common/status.h"
#include "model_config.pb.h"

namespace inferd {

class BackendRegistry {
 public:
  // `library_dir` holds the libinferd_<name>.so files (the server passes
  // "<dir of the inferd binary>/backends").
  explicit BackendRegistry(std::string library_dir);
  ~BackendRegistry();

  BackendRegistry(const BackendRegistry&) = delete;
  BackendRegistry& operator=(const BackendRegistry&) = delete;

  // The backend called `backend_name` ("onnxruntime"), loading it on the first
  // call. Thread-safe. UNAVAILABLE with the reason when it cannot be loaded;
  // INVALID_ARGUMENT when the name is empty or not a plain identifier.
  Result<Backend*> Get(const std::string& backend_name);

  // Serves `backend` (not owned; it outlives the registry) as `backend_name`
  // instead of any library of that name: backends that live in the process,
  // such as the test backends of the core's unit tests.
  void AddInProcess(const std::string& backend_name, Backend* backend);

  // The backend a config asks for: its `backend` field, else the one implied
  // by `platform` ("onnxruntime_onnx" -> "onnxruntime"). Empty for ensembles
  // (and for configs naming neither). An unknown platform is returned as is,
  // so the error from Get names what was asked for.
  static std::string BackendNameForConfig(const inference::ModelConfig& config);

  const std::string& library_dir() const { return library_dir_; }

 private:
  struct Entry {
    std::unique_ptr<Backend> backend;  // null when loading failed
    Status failure;                    // why, when backend is null
    Backend* in_process = nullptr;     // set by AddInProcess instead of `backend`
  };

  Entry Load(const std::string& backend_name) const;

  const std::string library_dir_;
  std::mutex mutex_;  // guards entries_; held while loading so each library loads once
  std::map<std::string, Entry> entries_;
};

}  // namespace inferd
