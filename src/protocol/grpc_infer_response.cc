#include "protocol/grpc_infer_response.h"

#include "protocol/grpc_messages.h"

namespace inferd::protocol {

void EncodeGrpcInferResponse(const InferenceResponse& response, const std::string& request_id,
                             inference::ModelInferResponse* message) {
  message->set_model_name(response.model_name);
  message->set_model_version(std::to_string(response.model_version));
  message->set_id(response.id.empty() ? request_id : response.id);
  if (!response.parameters.empty()) WriteGrpcParameters(response.parameters, message->mutable_parameters());

  message->mutable_outputs()->Reserve(static_cast<int>(response.outputs.size()));
  message->mutable_raw_output_contents()->Reserve(static_cast<int>(response.outputs.size()));
  for (const Tensor& output : response.outputs) {
    inference::ModelInferResponse::InferOutputTensor* tensor = message->add_outputs();
    tensor->set_name(output.name);
    tensor->set_datatype(std::string(DataTypeName(output.datatype)));
    tensor->mutable_shape()->Add(output.shape.begin(), output.shape.end());
    // The one copy between the backend's result and the wire.
    message->add_raw_output_contents()->assign(output.data, output.byte_size);
  }
}

}  // namespace inferd::protocol
