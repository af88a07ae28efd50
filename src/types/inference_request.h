// The protocol-neutral form of one inference request and its response.
// Frontends build these through src/protocol/ and hand them to Server::Infer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "types/tensor.h"

namespace inferd {

// KServe v2 "parameters": bool, int64, double or string values by name.
using ParameterValue = std::variant<bool, int64_t, double, std::string>;
using Parameters = std::map<std::string, ParameterValue, std::less<>>;

// Version -1 asks the server to choose: the highest-numbered ready version.
inline constexpr int64_t kLatestVersion = -1;

struct RequestedOutput {
  std::string name;
  Parameters parameters;  // protocol options such as "binary_data", "classification"
};

struct InferenceRequest {
  std::string model_name;
  int64_t model_version = kLatestVersion;
  std::string id;
  Parameters parameters;  // e.g. "priority", "timeout"
  std::vector<Tensor> inputs;
  std::vector<RequestedOutput> outputs;  // empty: every output of the model
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  // Set by the frontend when the client goes away; a scheduler then drops the
  // request if it is still queued. Null: the frontend cannot tell.
  std::shared_ptr<const std::atomic<bool>> cancelled;
};

struct InferenceResponse {
  std::string model_name;
  int64_t model_version = 0;
  std::string id;
  Parameters parameters;
  std::vector<Tensor> outputs;
};

// Called exactly once per request, on a server thread; must not block long.
using InferCallback = std::function<void(Result<InferenceResponse>)>;

}  // namespace inferd
