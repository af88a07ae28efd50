#include "protocol/http_infer_response.h"

#include <string_view>
#include <vector>

#include "common/logging.h"
#include "protocol/json_tensor_writer.h"
#include "protocol/json_writer.h"

namespace inferd::protocol {
namespace {

bool WantsBinary(const HttpInferRequest& request, std::string_view output_name) {
  const auto it = request.binary_output.find(output_name);
  return it != request.binary_output.end() ? it->second : request.binary_outputs_by_default;
}

}  // namespace

HttpResponseBody EncodeHttpInferResponse(const InferenceResponse& response, const HttpInferRequest& request) {
  const std::string& id = response.id.empty() ? request.request.id : response.id;

  // Decide every output's form first: the size to reserve depends on it and
  // the JSON must be complete before the first binary byte.
  std::vector<bool> binary(response.outputs.size());
  bool any_binary = false;
  size_t reserve = 160 + response.model_name.size() + id.size();
  for (size_t i = 0; i < response.outputs.size(); ++i) {
    const Tensor& output = response.outputs[i];
    binary[i] = WantsBinary(request, output.name);
    if (!binary[i] && !CanWriteAsJson(output)) {
      LogVerbose("model '{}', output '{}': sent as binary data; JSON cannot carry its {} values exactly",
                 response.model_name, output.name, DataTypeName(output.datatype));
      binary[i] = true;
    }
    any_binary = any_binary || binary[i];
    reserve += 96 + output.name.size() + output.shape.size() * 8 +
               (binary[i] ? output.byte_size : EstimateJsonTensorSize(output));
  }

  HttpResponseBody body;
  body.content.reserve(reserve);
  StringOutputStream stream(&body.content);
  JsonWriter writer(stream);
  writer.StartObject();
  WriteKey(writer, "model_name");
  WriteUntrustedString(writer, response.model_name);
  WriteKey(writer, "model_version");
  WriteString(writer, std::to_string(response.model_version));
  if (!id.empty()) {
    WriteKey(writer, "id");
    WriteUntrustedString(writer, id);
  }
  if (!response.parameters.empty()) {
    WriteKey(writer, "parameters");
    WriteParameters(writer, response.parameters);
  }
  WriteKey(writer, "outputs");
  writer.StartArray();
  for (size_t i = 0; i < response.outputs.size(); ++i) {
    const Tensor& output = response.outputs[i];
    writer.StartObject();
    WriteKey(writer, "name");
    WriteUntrustedString(writer, output.name);
    WriteKey(writer, "datatype");
    WriteString(writer, DataTypeName(output.datatype));
    WriteKey(writer, "shape");
    writer.StartArray();
    for (int64_t dim : output.shape) writer.Int64(dim);
    writer.EndArray();
    if (binary[i]) {
      WriteKey(writer, "parameters");
      writer.StartObject();
      WriteKey(writer, "binary_data_size");
      writer.Uint64(output.byte_size);
      writer.EndObject();
    } else {
      WriteKey(writer, "data");
      WriteJsonTensorData(writer, output);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();

  if (any_binary) {
    body.json_header_length = body.content.size();
    for (size_t i = 0; i < response.outputs.size(); ++i) {
      const Tensor& output = response.outputs[i];
      if (binary[i] && output.byte_size > 0) body.content.append(output.data, output.byte_size);
    }
  }
  return body;
}

}  // namespace inferd::protocol
