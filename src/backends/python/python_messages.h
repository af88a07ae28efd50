// The JSON side of the frames between the server and a Python model's
// process (see stub/inferd_python_stub.py for the protocol): tensors as
// header entries pointing into the payload, request parameters and errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "backends/python/shared_arena.h"
#include "common/status.h"
#include "types/inference_request.h"
#include "types/tensor.h"

namespace inferd::python {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// An array of {name, datatype, shape, offset, size}; the tensors' bytes are
// appended to `pieces` (offsets count from the first piece already there).
void WriteTensors(JsonWriter& writer, const std::vector<Tensor>& tensors, std::vector<std::string_view>* pieces);
// One such entry as a tensor pointing into `payload` (which it keeps alive).
Result<Tensor> ReadTensor(const rapidjson::Value& entry, const Payload& payload,
                          const std::string& subject);
// A JSON string's text ("" for anything else).
std::string_view Text(const rapidjson::Value& value);
// What execute() sees of a request's KServe parameters, as Triton gives
// them: "parameters" (a JSON object, without the ones Triton takes for the
// request itself: sequence_id, sequence_start, sequence_end, priority,
// timeout, binary_data_output), "correlation_id" (sequence_id: a number or a
// string, 0 without one) and "flags" (TRITONSERVER_REQUEST_FLAG_SEQUENCE_START
// and _END from sequence_start and sequence_end).
void WriteRequestParameters(JsonWriter& writer, const Parameters* parameters);
// The reply's "error" member, when it has one (a model or stub failure).
Status ReplyError(const std::string& header, const std::string& subject);

}  // namespace inferd::python
