#include "backends/onnxruntime/session_options.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "backends/onnxruntime/ort_errors.h"

namespace inferd::ort {
namespace {

constexpr const char* kCudaProvider = "CUDAExecutionProvider";

// Idle intra-op workers spin-wait for the next piece of work by default. That
// can buy latency when one session owns a big machine, but inferd runs several
// instances plus the HTTP/gRPC threads on few cores, where a spinning worker
// steals the core that someone else needs. Measured on the 2-core dev machine
// (ONNX Runtime 1.32 from PyPI, a 256x256 MatMul+Relu model, 2 intra-op threads
// per session, sessions driven from their own threads):
//   1 session,  batch 1:  14.8k runs/s spinning vs 19.2k not spinning
//   2 sessions, batch 1:  10.8k vs 17.6k;   2 sessions, batch 32: 2.5k vs 4.9k
// Spinning off was faster in every case, so it is our default. A config can
// turn it back on:
//   parameters { key: "session.intra_op.allow_spinning" value: { string_value: "1" } }
constexpr const char* kAllowIntraOpSpinningKey = "session.intra_op.allow_spinning";
constexpr const char* kAllowInterOpSpinningKey = "session.inter_op.allow_spinning";
constexpr const char* kDefaultAllowSpinning = "0";

const std::string* FindParameter(const sdk::ModuleConfig& config, const std::string& key) {
  auto it = config.parameters.find(key);
  return it == config.parameters.end() ? nullptr : &it->second;
}

Result<int> NonNegativeIntParameter(const sdk::ModuleConfig& config, const std::string& key, int fallback) {
  const std::string* text = FindParameter(config, key);
  if (text == nullptr) return fallback;
  int value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end || value < 0) {
    return Status::InvalidArgument(fmt::format("model '{}': parameter '{}' must be a non-negative integer, got '{}'",
                                               config.model_name, key, *text));
  }
  return value;
}

// nullopt when the parameter is absent.
Result<std::optional<bool>> BoolParameter(const sdk::ModuleConfig& config, const std::string& key) {
  const std::string* text = FindParameter(config, key);
  if (text == nullptr) return std::optional<bool>();
  if (*text == "1" || *text == "true" || *text == "True" || *text == "TRUE") return std::optional<bool>(true);
  if (*text == "0" || *text == "false" || *text == "False" || *text == "FALSE") return std::optional<bool>(false);
  return Status::InvalidArgument(fmt::format("model '{}': parameter '{}' must be 1, true, 0 or false, got '{}'",
                                             config.model_name, key, *text));
}

// Triton's onnxruntime backend reads optimization.graph.level this way; we
// follow it so the same config behaves the same.
GraphOptimizationLevel GraphLevelFor(const sdk::ModuleConfig& config) {
  if (!config.graph_level.has_value()) return GraphOptimizationLevel::ORT_ENABLE_ALL;
  switch (*config.graph_level) {
    case -1: return GraphOptimizationLevel::ORT_ENABLE_BASIC;
    case 1: return GraphOptimizationLevel::ORT_ENABLE_EXTENDED;
    case 2: return GraphOptimizationLevel::ORT_DISABLE_ALL;
    default: return GraphOptimizationLevel::ORT_ENABLE_ALL;
  }
}

int MachineThreads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

Status AppendCudaProvider(const sdk::ModuleConfig& config, const InstanceSettings& settings,
                          Ort::SessionOptions* options) {
  const std::vector<std::string> providers = Ort::GetAvailableProviders();
  const std::string available = fmt::format("{}", fmt::join(providers, ", "));
  if (std::find(providers.begin(), providers.end(), kCudaProvider) == providers.end()) {
    return Status::Unavailable(fmt::format(
        "model '{}': KIND_GPU requested but this ONNX Runtime has no CUDA execution provider (available: {})",
        config.model_name, available));
  }
  // A build can list the provider yet ship without its library (the npm
  // package's runtime does: the CUDA libraries are a separate download).
  try {
    OrtCUDAProviderOptions cuda{};
    cuda.device_id = settings.device_id;
    options->AppendExecutionProvider_CUDA(cuda);
  } catch (const Ort::Exception& error) {
    return Status::Unavailable(fmt::format(
        "model '{}': KIND_GPU requested but this ONNX Runtime has no usable CUDA execution provider (available: {}; "
        "enabling it failed: {})",
        config.model_name, available, error.what()));
  }
  return Status::Ok();
}

}  // namespace

Result<ThreadCounts> ResolveThreadCounts(const sdk::ModuleConfig& config, const InstanceSettings& settings) {
  ASSIGN_OR_RETURN(int intra, NonNegativeIntParameter(config, "intra_op_thread_count", 0));
  ASSIGN_OR_RETURN(int inter, NonNegativeIntParameter(config, "inter_op_thread_count", 0));

  ThreadCounts counts;
  counts.intra_op = settings.intra_op_threads > 0 ? settings.intra_op_threads
                    : intra > 0                  ? intra
                                                  : MachineThreads();
  counts.inter_op = settings.inter_op_threads > 0 ? settings.inter_op_threads : inter;
  return counts;
}

Result<Ort::SessionOptions> MakeServingSessionOptions(const sdk::ModuleConfig& config, const InstanceSettings& settings) {
  ASSIGN_OR_RETURN(ThreadCounts threads, ResolveThreadCounts(config, settings));
  ASSIGN_OR_RETURN(int execution_mode, NonNegativeIntParameter(config, "execution_mode", 0));
  if (execution_mode > 1) {
    return Status::InvalidArgument(fmt::format(
        "model '{}': parameter 'execution_mode' must be 0 (sequential) or 1 (parallel), got {}", config.model_name,
        execution_mode));
  }
  ASSIGN_OR_RETURN(std::optional<bool> mem_arena, BoolParameter(config, "enable_mem_arena"));
  ASSIGN_OR_RETURN(std::optional<bool> mem_pattern, BoolParameter(config, "enable_mem_pattern"));

  Ort::SessionOptions options{nullptr};
  const std::string subject = fmt::format("model '{}'", config.model_name);
  Status built = GuardOrtCall(subject, "building session options", [&]() -> Status {
    options = Ort::SessionOptions();
    options.SetLogId(settings.name.c_str());
    options.SetIntraOpNumThreads(threads.intra_op);
    if (threads.inter_op > 0) options.SetInterOpNumThreads(threads.inter_op);
    options.SetExecutionMode(execution_mode == 1 ? ExecutionMode::ORT_PARALLEL : ExecutionMode::ORT_SEQUENTIAL);
    options.SetGraphOptimizationLevel(GraphLevelFor(config));
    if (mem_arena.has_value()) {
      if (*mem_arena) options.EnableCpuMemArena(); else options.DisableCpuMemArena();
    }
    if (mem_pattern.has_value()) {
      if (*mem_pattern) options.EnableMemPattern(); else options.DisableMemPattern();
    }
    // Our defaults first; "session.*" parameters from the config override them.
    if (FindParameter(config, kAllowIntraOpSpinningKey) == nullptr) {
      options.AddConfigEntry(kAllowIntraOpSpinningKey, kDefaultAllowSpinning);
    }
    if (FindParameter(config, kAllowInterOpSpinningKey) == nullptr) {
      options.AddConfigEntry(kAllowInterOpSpinningKey, kDefaultAllowSpinning);
    }
    for (const auto& [key, value] : config.parameters) {
      if (key.rfind("session.", 0) == 0) options.AddConfigEntry(key.c_str(), value.c_str());
    }
    if (settings.gpu) return AppendCudaProvider(config, settings, &options);
    return Status::Ok();
  });
  if (!built.ok()) return built;
  return options;
}

Result<Ort::SessionOptions> MakeInspectionSessionOptions(const std::string& subject) {
  Ort::SessionOptions options{nullptr};
  Status built = GuardOrtCall(subject, "building session options", [&]() -> Status {
    options = Ort::SessionOptions();
    options.SetIntraOpNumThreads(1);
    options.SetInterOpNumThreads(1);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
    return Status::Ok();
  });
  if (!built.ok()) return built;
  return options;
}

}  // namespace inferd::ort
