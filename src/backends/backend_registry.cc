#include "backends/backend_registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "common/logging.h"

namespace inferd {
namespace {

// Names become part of a file path: keep them to plain identifiers so a
// config cannot point the loader at "../../somewhere".
bool IsPlainBackendName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string LibraryFileName(const std::string& backend_name) { return "libinferd_" + backend_name + ".so"; }

Status NotAvailable(const std::string& backend_name, const std::string& reason) {
  return Status::Unavailable(fmt::format("backend '{}' is not available: {}", backend_name, reason));
}

}  // namespace

BackendRegistry::BackendRegistry(std::string library_dir) : library_dir_(std::move(library_dir)) {}

// Backends are deleted (their destructors live in the still-loaded library);
// the libraries themselves stay mapped, see the header.
BackendRegistry::~BackendRegistry() = default;

Result<Backend*> BackendRegistry::Get(const std::string& backend_name) {
  if (!IsPlainBackendName(backend_name)) {
    return Status::InvalidArgument(
        fmt::format("backend name '{}' is not valid: expected letters, digits, '_' or '-'", backend_name));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(backend_name);
  if (it == entries_.end()) {
    it = entries_.emplace(backend_name, Load(backend_name)).first;
    if (it->second.backend == nullptr) {
      LogWarning("{}", it->second.failure.message());
    } else {
      LogInfo("loaded backend '{}' from {}", backend_name, library_dir_);
    }
  }
  if (it->second.in_process != nullptr) return it->second.in_process;
  if (it->second.backend == nullptr) return it->second.failure;
  return it->second.backend.get();
}

void BackendRegistry::AddInProcess(const std::string& backend_name, Backend* backend) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = entries_[backend_name];
  entry.in_process = backend;
}

BackendRegistry::Entry BackendRegistry::Load(const std::string& backend_name) const {
  Entry entry;
  const std::string file_name = LibraryFileName(backend_name);
  const std::filesystem::path path = std::filesystem::path(library_dir_) / file_name;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    entry.failure = NotAvailable(backend_name, fmt::format("'{}' not found in {}", file_name, library_dir_));
    return entry;
  }

  // RTLD_LOCAL: each backend keeps its own symbols (two runtimes may bundle
  // different versions of the same library). RTLD_NOW: report a missing
  // dependency here, once, instead of crashing on the first request.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    entry.failure = NotAvailable(backend_name, reason != nullptr ? reason : "dlopen failed");
    return entry;
  }
  dlerror();  // clear any stale error before dlsym
  void* version_symbol = dlsym(handle, INFERD_BACKEND_VERSION_ENTRY_POINT);
  void* symbol = dlsym(handle, INFERD_BACKEND_ENTRY_POINT);
  if (version_symbol == nullptr || symbol == nullptr) {
    entry.failure = NotAvailable(
        backend_name, fmt::format("{} does not export {} (built without INFERD_BACKEND from backends/sdk/backend.h?)",
                                  path.string(), version_symbol == nullptr ? INFERD_BACKEND_VERSION_ENTRY_POINT
                                                                           : INFERD_BACKEND_ENTRY_POINT));
    dlclose(handle);  // nothing from it is in use yet
    return entry;
  }
  const uint32_t version = reinterpret_cast<InferdBackendInterfaceVersionFn>(version_symbol)();
  if (version != kBackendInterfaceVersion) {
    entry.failure = NotAvailable(
        backend_name, fmt::format("{} was built for backend interface version {}, this server has version {}; "
                                  "rebuild the backend against this server's backends/sdk",
                                  path.string(), version, kBackendInterfaceVersion));
    dlclose(handle);  // its factory never ran
    return entry;
  }
  auto create = reinterpret_cast<InferdCreateBackendFn>(symbol);
  Backend* backend = create();
  if (backend == nullptr) {
    // The library may have started threads or registered state: keep it mapped.
    entry.failure =
        NotAvailable(backend_name, fmt::format("{} in {} returned no backend", INFERD_BACKEND_ENTRY_POINT,
                                               path.string()));
    return entry;
  }
  entry.backend.reset(backend);
  return entry;
}

std::string BackendRegistry::BackendNameForConfig(const inference::ModelConfig& config) {
  if (!config.backend().empty()) return config.backend();
  const std::string& platform = config.platform();
  if (platform.empty() || platform == "ensemble") return "";
  if (platform == "onnxruntime_onnx") return "onnxruntime";
  if (platform == "pytorch_libtorch") return "pytorch";
  if (platform == "tensorflow_savedmodel" || platform == "tensorflow_graphdef") return "tensorflow";
  if (platform == "tensorrt_plan") return "tensorrt";
  return platform;
}

}  // namespace inferd
