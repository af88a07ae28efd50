#include "app/tritonserver_flags.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

namespace inferd::app {
namespace {

struct KnownFlag {
  const char* name;
  const char* why;
  const char* harmless_value;
};

constexpr const char* kNoTracing = "inferd has no request tracing yet";
constexpr const char* kNoSageMaker = "inferd serves no SageMaker endpoint";
constexpr const char* kNoVertexAi = "inferd serves no Vertex AI endpoint";

constexpr KnownFlag kKnownFlags[] = {
    {"--log-info", "inferd always logs information, warnings and errors", nullptr},
    {"--log-warning", "inferd always logs information, warnings and errors", nullptr},
    {"--log-error", "inferd always logs information, warnings and errors", nullptr},
    {"--log-format", "inferd logs in its own format to standard error", nullptr},
    {"--log-file", "inferd logs to standard error", nullptr},
    {"--backend-config", "backend settings belong in each model's config.pbtxt parameters", nullptr},
    {"--pinned-memory-pool-byte-size", "inferd allocates no pinned memory pool", nullptr},
    {"--cuda-memory-pool-byte-size", "inferd runs on CPU and allocates no CUDA memory pool", nullptr},
    {"--min-supported-compute-capability", "inferd runs on CPU", nullptr},
    {"--buffer-manager-thread-count", "inferd has no buffer manager threads", nullptr},
    {"--rate-limit", "inferd has no rate limiter yet", nullptr},
    {"--rate-limit-resource", "inferd has no rate limiter yet", nullptr},
    {"--response-cache-byte-size", "inferd has no response cache yet", nullptr},
    {"--cache-config", "inferd has no response cache yet", nullptr},
    {"--trace-config", kNoTracing, nullptr},
    {"--trace-file", kNoTracing, nullptr},
    {"--trace-level", kNoTracing, nullptr},
    {"--trace-rate", kNoTracing, nullptr},
    {"--trace-count", kNoTracing, nullptr},
    {"--trace-log-frequency", kNoTracing, nullptr},
    {"--http-header-forward-pattern", "inferd forwards no request headers to backends", nullptr},
    {"--grpc-header-forward-pattern", "inferd forwards no request headers to backends", nullptr},
    {"--allow-sagemaker", "inferd serves no SageMaker endpoint", "false"},
    {"--sagemaker-port", kNoSageMaker, nullptr},
    {"--sagemaker-safe-port-range", kNoSageMaker, nullptr},
    {"--sagemaker-thread-count", kNoSageMaker, nullptr},
    {"--allow-vertex-ai", "inferd serves no Vertex AI endpoint", "false"},
    {"--vertex-ai-port", kNoVertexAi, nullptr},
    {"--vertex-ai-thread-count", kNoVertexAi, nullptr},
    {"--vertex-ai-default-model", kNoVertexAi, nullptr},
    {"--allow-client-shm", "inferd has no shared memory extension yet; clients cannot register regions", "false"},
    {"--cache-directory", "inferd has no response cache yet", nullptr},
    {"--cuda-virtual-address-size", "inferd runs on CPU and reserves no CUDA address space", nullptr},
    {"--enable-peer-access", "inferd runs on CPU and enables no GPU peer access", nullptr},
    {"--model-load-gpu-limit", "inferd runs on CPU and limits no GPU memory", nullptr},
    {"--grpc-max-response-pool-size", "inferd keeps no pool of gRPC response messages beyond "
                                      "--grpc-infer-allocation-pool-size",
     nullptr},
    {"--host-policy", "inferd applies no host policies (NUMA or CPU pinning)", nullptr},
    {"--metrics-config", "inferd's metrics take no configuration (latency histograms are always on)", nullptr},
    {"--model-load-retry-count", "inferd tries each model load once; a failure is reported in the index", nullptr},
    {"--model-namespacing", "inferd has one namespace: a model name served by two repositories is an error",
     "false"},
    {"--repoagent-directory", "inferd runs no repository agents", nullptr},
};

}  // namespace

void AddAcceptedTritonFlags(CLI::App& app, std::deque<AcceptedTritonFlag>& flags) {
  for (const KnownFlag& known : kKnownFlags) {
    AcceptedTritonFlag& flag = flags.emplace_back();
    flag.name = known.name;
    flag.why = known.why;
    flag.harmless_value = known.harmless_value;
    // Empty group: parsed but not listed in --help (it lists what inferd does).
    flag.option = app.add_option(known.name, flag.values, "")
                      ->expected(0, 1)
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                      ->group("");
  }
}

std::vector<std::string> AcceptedTritonFlagWarnings(const std::deque<AcceptedTritonFlag>& flags) {
  std::vector<std::string> warnings;
  for (const AcceptedTritonFlag& flag : flags) {
    for (const std::string& value : flag.values) {
      if (flag.harmless_value != nullptr && value == flag.harmless_value) continue;
      warnings.push_back(fmt::format("ignoring tritonserver flag {}{}: {}", flag.name,
                                     value.empty() ? "" : "=" + value, flag.why));
    }
    if (flag.values.empty() && flag.option->count() > 0) {
      warnings.push_back(fmt::format("ignoring tritonserver flag {}: {}", flag.name, flag.why));
    }
  }
  return warnings;
}

}  // namespace inferd::app
