#include "protocol/http_infer_request.h"

#include "common/bounded_text.h"

#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "protocol/exact_json_parse.h"
#include "protocol/json_tensor_reader.h"
#include "types/tensor.h"

namespace inferd::protocol {
namespace {

using rapidjson::Value;

// Request headers are small; parsing them in stack memory saves the heap
// allocations of a fresh DOM on every request. Larger JSON spills to the heap.
constexpr size_t kStackPoolBytes = 8 * 1024;

std::string_view StringOf(const Value& value) { return {value.GetString(), value.GetStringLength()}; }

std::string_view JsonTypeName(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a bool";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "an unknown JSON value";
}

// Decodes one request. Holds what every step needs: the model name for
// messages and the running offset into the binary section of the body.
class RequestDecoder {
 public:
  RequestDecoder(const std::string& model_name, std::shared_ptr<const std::string> body, size_t json_size,
                 bool has_header_length)
      : model_name_(model_name),
        body_(std::move(body)),
        json_size_(json_size),
        has_header_length_(has_header_length),
        binary_offset_(json_size) {}

  Status Decode(const Value& root, HttpInferRequest* out) {
    if (!root.IsObject()) return Error(fmt::format("the request must be a JSON object, got {}", JsonTypeName(root)));
    RETURN_IF_ERROR(DecodeId(root, &out->request));
    RETURN_IF_ERROR(DecodeRequestParameters(root, out));
    RETURN_IF_ERROR(DecodeInputs(root, &out->request));
    RETURN_IF_ERROR(DecodeOutputs(root, out));
    return CheckAllBinaryDataUsed();
  }

 private:
  Status DecodeId(const Value& root, InferenceRequest* request) const {
    const auto id = root.FindMember("id");
    if (id == root.MemberEnd()) return Status::Ok();
    if (!id->value.IsString()) return Error(fmt::format("\"id\" must be a string, got {}", JsonTypeName(id->value)));
    request->id.assign(StringOf(id->value));
    return Status::Ok();
  }

  Status DecodeRequestParameters(const Value& root, HttpInferRequest* out) const {
    const auto parameters = root.FindMember("parameters");
    if (parameters == root.MemberEnd()) return Status::Ok();
    RETURN_IF_ERROR(ReadParameters(parameters->value, "the request", &out->request.parameters));
    for (const auto& [key, value] : out->request.parameters) {
      if (key.starts_with("triton_")) {
        return Error(fmt::format("parameter keys starting with 'triton_' are reserved for Triton usage and should "
                                 "not be specified (got '{}')", Abbreviate(key)));
      }
    }
    // binary_data_output steers this codec only; the core never needs it.
    const auto binary = out->request.parameters.find(std::string_view("binary_data_output"));
    if (binary != out->request.parameters.end()) {
      if (!std::holds_alternative<bool>(binary->second)) {
        return Error("request parameter \"binary_data_output\" must be a bool");
      }
      out->binary_outputs_by_default = std::get<bool>(binary->second);
      out->request.parameters.erase(binary);
    }
    return Status::Ok();
  }

  Status DecodeInputs(const Value& root, InferenceRequest* request) {
    const auto inputs = root.FindMember("inputs");
    if (inputs == root.MemberEnd()) return Error("the request has no \"inputs\"");
    if (!inputs->value.IsArray()) {
      return Error(fmt::format("\"inputs\" must be an array, got {}", JsonTypeName(inputs->value)));
    }
    request->inputs.reserve(inputs->value.Size());
    for (rapidjson::SizeType i = 0; i < inputs->value.Size(); ++i) {
      const Value& input = inputs->value[i];
      if (!input.IsObject()) return Error(fmt::format("inputs[{}] must be an object, got {}", i, JsonTypeName(input)));
      const auto name = input.FindMember("name");
      if (name == input.MemberEnd() || !name->value.IsString()) {
        return Error(fmt::format("inputs[{}] needs a \"name\" string", i));
      }
      ASSIGN_OR_RETURN(Tensor tensor, DecodeInput(input, StringOf(name->value)));
      request->inputs.push_back(std::move(tensor));
    }
    return Status::Ok();
  }

  Result<Tensor> DecodeInput(const Value& input, std::string_view name) {
    Tensor tensor;
    tensor.name.assign(name);

    const auto datatype = input.FindMember("datatype");
    if (datatype == input.MemberEnd() || !datatype->value.IsString()) {
      return InputError(name, "needs a \"datatype\" string");
    }
    const std::optional<DataType> type = DataTypeFromName(StringOf(datatype->value));
    if (!type) {
      return InputError(name, fmt::format("unknown datatype \"{}\" (expected one of {})", StringOf(datatype->value),
                                          AllDataTypeNames()));
    }
    tensor.datatype = *type;

    RETURN_IF_ERROR(DecodeShape(input, name, &tensor.shape));

    std::optional<uint64_t> binary_size;
    const auto parameters = input.FindMember("parameters");
    if (parameters != input.MemberEnd()) {
      if (!parameters->value.IsObject()) {
        return InputError(name, fmt::format("\"parameters\" must be an object, got {}",
                                            JsonTypeName(parameters->value)));
      }
      if (parameters->value.HasMember("shared_memory_region")) {
        return Status::Unimplemented(fmt::format(
            "model '{}', input '{}': shared-memory tensors are not supported; send the data in the request",
            model_name_, name));
      }
      const auto size = parameters->value.FindMember("binary_data_size");
      if (size != parameters->value.MemberEnd()) {
        if (!size->value.IsUint64()) {
          return InputError(name, "parameter \"binary_data_size\" must be a non-negative integer");
        }
        binary_size = size->value.GetUint64();
      }
    }

    const auto data = input.FindMember("data");
    const bool has_data = data != input.MemberEnd();
    if (has_data && binary_size) {
      return InputError(name, "has both \"data\" and \"binary_data_size\"; give the tensor one way only");
    }
    if (!has_data && !binary_size) {
      return InputError(name, "has neither \"data\" nor a \"binary_data_size\" parameter");
    }
    if (has_data) {
      ASSIGN_OR_RETURN(std::string buffer,
                       ReadJsonTensorData(data->value, tensor.datatype, tensor.shape, model_name_, name));
      return Tensor::FromBuffer(std::move(tensor.name), tensor.datatype, std::move(tensor.shape),
                                std::move(buffer));
    }
    RETURN_IF_ERROR(TakeBinaryData(name, *binary_size, &tensor));
    return tensor;
  }

  Status DecodeShape(const Value& input, std::string_view name, Shape* shape) const {
    const auto shape_value = input.FindMember("shape");
    if (shape_value == input.MemberEnd() || !shape_value->value.IsArray()) {
      return InputError(name, "needs a \"shape\" array");
    }
    shape->reserve(shape_value->value.Size());
    for (const Value& dim : shape_value->value.GetArray()) {
      // Negative and oversized dimensions are the request validator's to refuse.
      if (!dim.IsInt64()) {
        return InputError(name, fmt::format("\"shape\" must hold integers, got {} at index {}",
                                            dim.IsNumber() ? fmt::format("{}", dim.GetDouble()) : JsonTypeName(dim),
                                            shape->size()));
      }
      shape->push_back(dim.GetInt64());
    }
    return Status::Ok();
  }

  // Points `tensor` at the next `size` bytes after the JSON header; whether
  // they fit its shape is the request validator's to check.
  Status TakeBinaryData(std::string_view name, uint64_t size, Tensor* tensor) {
    if (!has_header_length_) {
      return InputError(name,
                        "has \"binary_data_size\" but the request has no Inference-Header-Content-Length "
                        "header, so the whole body was read as JSON");
    }
    const size_t available = body_->size() - binary_offset_;
    if (size > available) {
      return InputError(name, fmt::format("binary_data_size is {} bytes but only {} bytes of binary data are left "
                                          "after the {}-byte JSON header and the inputs before it",
                                          size, available, json_size_));
    }
    const std::string_view bytes(body_->data() + binary_offset_, size);
    binary_offset_ += size;
    binary_bytes_declared_ += size;
    tensor->data = bytes.data();
    tensor->byte_size = bytes.size();
    tensor->owner = body_;  // the tensor keeps the body alive; no copy
    return Status::Ok();
  }

  Status CheckAllBinaryDataUsed() const {
    if (binary_offset_ == body_->size()) return Status::Ok();
    return Error(fmt::format("the inputs' binary_data_size values add up to {} bytes but the body has {} bytes "
                             "after the {}-byte JSON header",
                             binary_bytes_declared_, body_->size() - json_size_, json_size_));
  }

  Status DecodeOutputs(const Value& root, HttpInferRequest* out) const {
    const auto outputs = root.FindMember("outputs");
    if (outputs == root.MemberEnd()) return Status::Ok();
    if (!outputs->value.IsArray()) {
      return Error(fmt::format("\"outputs\" must be an array, got {}", JsonTypeName(outputs->value)));
    }
    out->request.outputs.reserve(outputs->value.Size());
    for (rapidjson::SizeType i = 0; i < outputs->value.Size(); ++i) {
      const Value& output = outputs->value[i];
      if (!output.IsObject()) {
        return Error(fmt::format("outputs[{}] must be an object, got {}", i, JsonTypeName(output)));
      }
      const auto name = output.FindMember("name");
      if (name == output.MemberEnd() || !name->value.IsString()) {
        return Error(fmt::format("outputs[{}] needs a \"name\" string", i));
      }
      const std::string_view output_name = StringOf(name->value);
      RequestedOutput requested;
      requested.name.assign(output_name);
      const auto parameters = output.FindMember("parameters");
      if (parameters != output.MemberEnd()) {
        RETURN_IF_ERROR(
            ReadParameters(parameters->value, fmt::format("output '{}'", output_name), &requested.parameters));
        const auto binary = requested.parameters.find(std::string_view("binary_data"));
        if (binary != requested.parameters.end()) {
          if (!std::holds_alternative<bool>(binary->second)) {
            return Error(fmt::format("output '{}': parameter \"binary_data\" must be a bool", output_name));
          }
          out->binary_output.emplace(requested.name, std::get<bool>(binary->second));
        }
      }
      out->request.outputs.push_back(std::move(requested));
    }
    return Status::Ok();
  }

  // Copies a KServe "parameters" object; `owner` says whose it is in messages.
  Status ReadParameters(const Value& object, std::string_view owner, Parameters* parameters) const {
    if (!object.IsObject()) {
      return Error(fmt::format("\"parameters\" of {} must be an object, got {}", owner, JsonTypeName(object)));
    }
    for (const auto& member : object.GetObject()) {
      std::string key(StringOf(member.name));
      const Value& value = member.value;
      if (value.IsBool()) {
        parameters->insert_or_assign(std::move(key), value.GetBool());
      } else if (value.IsInt64()) {
        parameters->insert_or_assign(std::move(key), value.GetInt64());
      } else if (value.IsUint64()) {
        return Error(fmt::format("parameter \"{}\" of {} is {}, beyond the int64 range", key, owner,
                                 value.GetUint64()));
      } else if (value.IsNumber()) {
        parameters->insert_or_assign(std::move(key), value.GetDouble());
      } else if (value.IsString()) {
        parameters->insert_or_assign(std::move(key), std::string(StringOf(value)));
      } else {
        return Error(fmt::format("parameter \"{}\" of {} must be a bool, number or string, got {}", key, owner,
                                 JsonTypeName(value)));
      }
    }
    return Status::Ok();
  }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}': {}", Abbreviate(model_name_), what));
  }
  Status InputError(std::string_view input, std::string_view what) const {
    return Status::InvalidArgument(fmt::format("model '{}', input '{}': {}", Abbreviate(model_name_), Abbreviate(input), what));
  }

  const std::string& model_name_;
  const std::shared_ptr<const std::string> body_;
  const size_t json_size_;
  const bool has_header_length_;
  size_t binary_offset_;               // where the next binary input starts in *body_
  uint64_t binary_bytes_declared_ = 0;  // sum of binary_data_size so far
};

}  // namespace

Result<HttpInferRequest> DecodeHttpInferRequest(const std::string& model_name, int64_t model_version,
                                                std::shared_ptr<const std::string> body,
                                                std::optional<size_t> header_length) {
  if (body == nullptr) body = std::make_shared<const std::string>();
  if (header_length && *header_length > body->size()) {
    return Status::InvalidArgument(
        fmt::format("model '{}': Inference-Header-Content-Length is {} but the body has only {} bytes", model_name,
                    *header_length, body->size()));
  }
  const size_t json_size = header_length.value_or(body->size());
  if (json_size == 0) {
    return Status::InvalidArgument(
        fmt::format("model '{}': the request has no JSON header; expected a KServe v2 inference request", model_name));
  }

  char value_pool[kStackPoolBytes];
  rapidjson::MemoryPoolAllocator<> allocator(value_pool, sizeof(value_pool));
  rapidjson::Document document(&allocator);
  // Exact numbers (FP64 JSON data must read back bit for bit), NaN/Infinity
  // as Python writes them, validated UTF-8, iterative (no stack exhaustion).
  rapidjson::ParseResult parsed = ParseJsonExact(body->data(), json_size, &document);
  if (parsed.IsError()) {
    return Status::InvalidArgument(fmt::format("model '{}': malformed JSON in the request at offset {}: {}",
                                               model_name, parsed.Offset(),
                                               rapidjson::GetParseError_En(parsed.Code())));
  }

  HttpInferRequest decoded;
  decoded.request.model_name = model_name;
  decoded.request.model_version = model_version;
  RequestDecoder decoder(model_name, std::move(body), json_size, header_length.has_value());
  RETURN_IF_ERROR(decoder.Decode(document, &decoded));
  return decoded;
}

}  // namespace inferd::protocol
