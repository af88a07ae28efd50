#include "protocol/grpc_infer_request.h"

#include "common/bounded_text.h"

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "protocol/grpc_messages.h"
#include "protocol/grpc_tensor_contents.h"
#include "types/tensor.h"

namespace inferd::protocol {
namespace {

using inference::ModelInferRequest;

bool HasTypedContents(const ModelInferRequest::InferInputTensor& input) {
  if (!input.has_contents()) return false;
  const inference::InferTensorContents& contents = input.contents();
  return contents.bool_contents_size() > 0 || contents.int_contents_size() > 0 ||
         contents.int64_contents_size() > 0 || contents.uint_contents_size() > 0 ||
         contents.uint64_contents_size() > 0 || contents.fp32_contents_size() > 0 ||
         contents.fp64_contents_size() > 0 || contents.bytes_contents_size() > 0;
}

// Decodes one request; holds the model name for messages and the owner the
// raw input tensors share.
class GrpcRequestDecoder {
 public:
  GrpcRequestDecoder(const ModelInferRequest& message, std::shared_ptr<const void> owner)
      : message_(message), model_name_(message.model_name()), owner_(std::move(owner)) {}

  Status Decode(InferenceRequest* request) {
    request->id = message_.id();
    RETURN_IF_ERROR(ReadGrpcParameters(message_.parameters(), model_name_, "the request", &request->parameters));
    RETURN_IF_ERROR(TakeTritonParameters(request));
    RETURN_IF_ERROR(DecodeInputs(request));
    return DecodeOutputs(request);
  }

 private:
  Status DecodeInputs(InferenceRequest* request) {
    // raw_input_contents[i] belongs to inputs[i]; as in Triton, each input is
    // checked in order, so the first input with a problem is the one named.
    const int raw_count = message_.raw_input_contents_size();
    if (raw_count > message_.inputs_size()) {
      return Error(fmt::format("the request has {} inputs but {} raw_input_contents entries; send one raw entry per "
                               "input, in input order",
                               message_.inputs_size(), raw_count));
    }
    request->inputs.reserve(static_cast<size_t>(message_.inputs_size()));
    for (int i = 0; i < message_.inputs_size(); ++i) {
      const ModelInferRequest::InferInputTensor& input = message_.inputs(i);
      if (input.name().empty()) return Error(fmt::format("inputs[{}] has no name", i));
      const std::string* raw = i < raw_count ? &message_.raw_input_contents(i) : nullptr;
      ASSIGN_OR_RETURN(Tensor tensor, DecodeInput(input, raw));
      request->inputs.push_back(std::move(tensor));
    }
    return Status::Ok();
  }

  // `raw` is the input's raw_input_contents entry, nullptr when the request
  // sends typed contents.
  Result<Tensor> DecodeInput(const ModelInferRequest::InferInputTensor& input, const std::string* raw) const {
    const std::string& name = input.name();
    Tensor tensor;
    tensor.name = name;
    const std::optional<DataType> type = DataTypeFromName(input.datatype());
    if (!type) {
      return InputError(name, fmt::format("unknown datatype \"{}\" (expected one of {})", input.datatype(),
                                          AllDataTypeNames()));
    }
    tensor.datatype = *type;

    // Negative and oversized dimensions are the request validator's to refuse.
    tensor.shape.assign(input.shape().begin(), input.shape().end());
    if (input.parameters().contains("shared_memory_region")) {
      return Status::Unimplemented(fmt::format(
          "model '{}', input '{}': shared-memory tensors are not supported; send the data in the request",
          model_name_, name));
    }

    const bool typed = HasTypedContents(input);
    if (raw != nullptr) {
      if (typed) {
        // Triton's words (its explicit-content example clients match on them).
        return Status::InvalidArgument(fmt::format(
            "contents field must not be specified when using raw_input_contents for '{}' for model '{}'", name,
            model_name_));
      }
      // The bytes stay in the message: the tensor shares its owner. Sizes are
      // checked against the shape by the core, for every protocol alike.
      tensor.data = raw->data();
      tensor.byte_size = raw->size();
      tensor.owner = owner_;
      return tensor;
    }
    if (!typed && ElementCount(tensor.shape) != 0) {
      return Status::InvalidArgument(fmt::format(
          "unable to find data for input tensor '{}' for model '{}' in request: it has neither typed \"contents\" "
          "nor a raw_input_contents entry",
          name, model_name_));
    }
    ASSIGN_OR_RETURN(std::string buffer,
                     ReadTensorContents(input.contents(), tensor.datatype, tensor.shape, model_name_, name));
    return Tensor::FromBuffer(std::move(tensor.name), tensor.datatype, std::move(tensor.shape),
                              std::move(buffer));
  }

  Status DecodeOutputs(InferenceRequest* request) const {
    request->outputs.reserve(static_cast<size_t>(message_.outputs_size()));
    for (int i = 0; i < message_.outputs_size(); ++i) {
      const ModelInferRequest::InferRequestedOutputTensor& output = message_.outputs(i);
      if (output.name().empty()) return Error(fmt::format("outputs[{}] has no name", i));
      if (output.parameters().contains("shared_memory_region")) {
        return Status::Unimplemented(fmt::format(
            "model '{}', output '{}': shared-memory tensors are not supported; the response carries the data",
            model_name_, output.name()));
      }
      RequestedOutput requested;
      requested.name = output.name();
      RETURN_IF_ERROR(ReadGrpcParameters(output.parameters(), model_name_, fmt::format("output '{}'", output.name()),
                                         &requested.parameters));
      request->outputs.push_back(std::move(requested));
    }
    return Status::Ok();
  }

  // Keys starting with "triton_" are Triton's own: only
  // triton_enable_empty_final_response may be sent, and it steers the
  // stream (which reads it from the message), so it is not a parameter of
  // the request the model sees.
  Status TakeTritonParameters(InferenceRequest* request) const {
    constexpr std::string_view kEmptyFinal = "triton_enable_empty_final_response";
    for (const auto& [key, value] : request->parameters) {
      if (!key.starts_with("triton_")) continue;
      if (key != kEmptyFinal) {
        return Error(fmt::format("parameter keys starting with 'triton_' are reserved for Triton usage. Only the "
                                 "following keys starting with 'triton_' are allowed: {} (got '{}')",
                                 kEmptyFinal, Abbreviate(key)));
      }
      if (!std::holds_alternative<bool>(value)) {
        return Error(fmt::format("invalid value type for '{}' parameter, expected bool_param.", kEmptyFinal));
      }
    }
    request->parameters.erase(std::string(kEmptyFinal));
    return Status::Ok();
  }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}': {}", Abbreviate(model_name_), what));
  }
  Status InputError(std::string_view input, std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}', input '{}': {}", Abbreviate(model_name_), Abbreviate(input), what));
  }

  const ModelInferRequest& message_;
  const std::string& model_name_;
  const std::shared_ptr<const void> owner_;
};

}  // namespace

Result<InferenceRequest> DecodeGrpcInferRequest(const inference::ModelInferRequest& message, int64_t model_version,
                                                std::shared_ptr<const void> owner) {
  InferenceRequest request;
  request.model_name = message.model_name();
  request.model_version = model_version;
  GrpcRequestDecoder decoder(message, std::move(owner));
  RETURN_IF_ERROR(decoder.Decode(&request));
  return request;
}

}  // namespace inferd::protocol
