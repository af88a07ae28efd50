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
  // A decoupled model (model_transaction_policy.decoupled) answers a request
  // with any number of responses; all but its last have final == false. The
  // last may be the completion alone, with no response (complete_only): a
  // gRPC stream then writes nothing for it unless the client asked for
  // "triton_enable_empty_final_response".
  bool final = true;
  bool complete_only = false;
};

// Called exactly once per request, on a server thread; must not block long.
using InferCallback = std::function<void(Result<InferenceResponse>)>;
// The responses of a decoupled model before its last one (final == false;
// an error here fails that response, not the request), in order, on server
// threads, each before the request's InferCallback runs.
using InferPartialCallback = std::function<void(Result<InferenceResponse>)>;

}  // namespace inferd
