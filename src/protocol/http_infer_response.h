// Encodes a core InferenceResponse as a KServe v2 HTTP response body: JSON,
// followed by binary tensor data when any output is sent in binary form
// (Triton's binary tensor data extension).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocol/http_infer_request.h"
#include "types/inference_request.h"

namespace inferd::protocol {

struct HttpResponseBody {
  std::string content;                       // JSON, or JSON header + binary tensors
  std::optional<size_t> json_header_length;  // set => send Inference-Header-Content-Length and
                                             // Content-Type application/octet-stream
};

// An output is binary when its own "binary_data" parameter says so, else when
// the request's "binary_data_output" is true. Binary outputs carry
// "parameters": {"binary_data_size": N} and no "data"; their bytes follow the
// JSON in output order. JSON outputs carry a flat "data" array.
//
// An output that JSON cannot carry faithfully is sent as binary even when
// JSON was asked for: NaN or infinity in FP16/BF16/FP32/FP64 (JSON has no
// such numbers) and BYTES elements that are not valid UTF-8 (JSON strings are
// UTF-8). tritonclient reads such a response transparently, since it decides
// per output from "binary_data_size".
//
// Reads only `request.binary_outputs_by_default`, `request.binary_output` and,
// when the response has no id, `request.request.id` (the request's inputs may
// already have been moved to the server). "id" is written only when non-empty.
HttpResponseBody EncodeHttpInferResponse(const InferenceResponse& response, const HttpInferRequest& request);

}  // namespace inferd::protocol
