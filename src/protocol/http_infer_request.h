// Decodes a KServe v2 HTTP inference request (JSON, optionally followed by
// binary tensor data per Triton's binary tensor data extension) into the
// core InferenceRequest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "types/inference_request.h"

namespace inferd::protocol {

struct HttpInferRequest {
  InferenceRequest request;                // model name/version filled from the URL
  bool binary_outputs_by_default = false;  // request "parameters": {"binary_data_output": true}
  // outputs[i].parameters.binary_data, by output name
  std::map<std::string, bool, std::less<>> binary_output;
};

// `body` is the whole HTTP body; input tensors point INTO it (no copy) and
// share its ownership. `header_length` is the Inference-Header-Content-Length
// header value when present (JSON header followed by binary tensor data),
// nullopt for a pure JSON body.
//
// Inputs given as JSON "data" own a buffer filled from the JSON; inputs with
// "binary_data_size" take their bytes, in input order, from after the JSON
// header. Request "parameters" go to InferenceRequest::parameters (except
// "binary_data_output", which is consumed here); outputs[].parameters go to
// RequestedOutput::parameters unchanged ("classification", "binary_data").
// Every error is INVALID_ARGUMENT (UNIMPLEMENTED for shared-memory inputs)
// and names the model and, where there is one, the tensor.
Result<HttpInferRequest> DecodeHttpInferRequest(const std::string& model_name, int64_t model_version,
                                                std::shared_ptr<const std::string> body,
                                                std::optional<size_t> header_length);

}  // namespace inferd::protocol
