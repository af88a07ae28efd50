// Every check of an inference request, run through the same table for both
// protocols: each case is sent as an HTTP/JSON request with binary tensor
// data and as a gRPC ModelInferRequest with raw contents, decoded by that
// protocol's decoder and validated by the core's one request validator, as
// Server::Infer does. Both must give the same code and the same message.
#include <google/protobuf/text_format.h>

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "core/request_validator.h"
#include "grpc_service.pb.h"
#include "protocol/grpc_infer_request.h"
#include "protocol/http_infer_request.h"
#include "types/tensor.h"

namespace inferd {
namespace {

// Triton's "simple" (batched) and a model with a BYTES input.
const char* const kSimpleConfig = R"pb(
  name: "simple"
  max_batch_size: 8
  input [
    { name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] },
    { name: "INPUT1" data_type: TYPE_INT32 dims: [ 4 ] }
  ]
  output [
    { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] },
    { name: "OUTPUT1" data_type: TYPE_INT32 dims: [ 4 ] }
  ]
)pb";
const char* const kTextConfig = R"pb(
  name: "text"
  max_batch_size: 0
  input [ { name: "TEXT" data_type: TYPE_STRING dims: [ 2 ] } ]
  output [ { name: "LENGTHS" data_type: TYPE_INT32 dims: [ 2 ] } ]
)pb";

// One input as it goes on the wire: its bytes are the HTTP binary data and
// the gRPC raw_input_contents entry.
struct WireInput {
  std::string name;
  std::string datatype;
  Shape shape;
  std::string bytes;
};

struct CheckCase {
  const char* what;
  const char* config;
  std::vector<WireInput> inputs;
  std::vector<std::string> outputs;
  StatusCode code;
  std::string message;  // the whole message, the same for both protocols
};

std::string Int32Bytes(size_t count) { return std::string(count * 4, '\1'); }
WireInput Int32Input(const std::string& name, Shape shape) {
  const int64_t count = ElementCount(shape);
  return {name, "INT32", shape, Int32Bytes(count > 0 && count < 1'000'000 ? static_cast<size_t>(count) : 1)};
}
std::string BytesLayout(const std::vector<std::string>& elements) {
  std::string buffer;
  for (const std::string& element : elements) AppendBytesElement(element, &buffer);
  return buffer;
}

inference::ModelConfig Config(const char* text) {
  inference::ModelConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  return config;
}

// Decode errors first, then the validator's, as Server::Infer sees them.
Status Check(const Result<InferenceRequest>& decoded, const inference::ModelConfig& config) {
  if (!decoded.ok()) return decoded.status();
  Result<int64_t> batch = ValidateInferenceRequest(*decoded, config);
  return batch.ok() ? Status::Ok() : batch.status();
}

Status ThroughHttp(const CheckCase& c, const inference::ModelConfig& config) {
  std::vector<std::string> inputs;
  std::string binary;
  for (const WireInput& input : c.inputs) {
    inputs.push_back(fmt::format(R"({{"name":"{}","datatype":"{}","shape":[{}],"parameters":{{"binary_data_size":{}}}}})",
                                 input.name, input.datatype, fmt::join(input.shape, ","), input.bytes.size()));
    binary += input.bytes;
  }
  std::vector<std::string> outputs;
  for (const std::string& output : c.outputs) outputs.push_back(fmt::format(R"({{"name":"{}"}})", output));
  const std::string header =
      fmt::format(R"({{"inputs":[{}],"outputs":[{}]}})", fmt::join(inputs, ","), fmt::join(outputs, ","));
  auto body = std::make_shared<const std::string>(header + binary);
  Result<protocol::HttpInferRequest> decoded =
      protocol::DecodeHttpInferRequest(config.name(), kLatestVersion, body, header.size());
  if (!decoded.ok()) return Check(decoded.status(), config);
  return Check(std::move(decoded->request), config);
}

Status ThroughGrpc(const CheckCase& c, const inference::ModelConfig& config) {
  auto message = std::make_shared<inference::ModelInferRequest>();
  message->set_model_name(config.name());
  for (const WireInput& input : c.inputs) {
    auto* tensor = message->add_inputs();
    tensor->set_name(input.name);
    tensor->set_datatype(input.datatype);
    for (int64_t dim : input.shape) tensor->add_shape(dim);
    message->add_raw_input_contents(input.bytes);
  }
  for (const std::string& output : c.outputs) message->add_outputs()->set_name(output);
  return Check(protocol::DecodeGrpcInferRequest(*message, kLatestVersion, message), config);
}

TEST(RequestChecksTest, BothProtocolsGiveTheSameAnswerToEveryCheck) {
  const WireInput input1 = Int32Input("INPUT1", {1, 4});
  const std::vector<CheckCase> cases = {
      {"a valid request", kSimpleConfig, {Int32Input("INPUT0", {2, 4}), Int32Input("INPUT1", {2, 4})}, {"OUTPUT1"},
       StatusCode::kOk, ""},
      {"an input given twice", kSimpleConfig, {input1, input1}, {}, StatusCode::kInvalidArgument,
       "input 'INPUT1' for model 'simple': appears more than once in the request"},
      {"an output asked for twice", kSimpleConfig, {Int32Input("INPUT0", {1, 4}), input1}, {"OUTPUT0", "OUTPUT0"},
       StatusCode::kInvalidArgument, "output 'OUTPUT0' for model 'simple' is requested more than once"},
      {"a negative dimension", kSimpleConfig, {Int32Input("INPUT0", {1, -4}), input1}, {},
       StatusCode::kInvalidArgument,
       "All input dimensions should be specified for input 'INPUT0' for model 'simple', got [1,-4]"},
      {"more bytes than the shape holds", kSimpleConfig, {{"INPUT0", "INT32", {1, 4}, Int32Bytes(5)}, input1}, {},
       StatusCode::kInvalidArgument,
       "input byte size mismatch for input 'INPUT0' for model 'simple'. Expected 16, got 20 (shape [1,4] of INT32)"},
      {"fewer bytes than the shape holds", kSimpleConfig, {{"INPUT0", "INT32", {1, 4}, Int32Bytes(3)}, input1}, {},
       StatusCode::kInvalidArgument,
       "input byte size mismatch for input 'INPUT0' for model 'simple'. Expected 16, got 12 (shape [1,4] of INT32)"},
      {"a shape too large to address", kSimpleConfig,
       {{"INPUT0", "INT32", {int64_t{1} << 62, 4}, Int32Bytes(4)}, input1}, {}, StatusCode::kInvalidArgument,
       "inference request batch-size must be <= 8 for 'simple' (input 'INPUT0' has shape [4611686018427387904,4])"},
      {"an unknown input", kSimpleConfig, {Int32Input("INPUT9", {1, 4}), input1}, {}, StatusCode::kInvalidArgument,
       "unexpected inference input 'INPUT9' for model 'simple'; the model's inputs are 'INPUT0', 'INPUT1'"},
      {"a missing input", kSimpleConfig, {input1}, {}, StatusCode::kInvalidArgument,
       "expected 2 inputs but got 1 inputs for model 'simple'. Got input(s) ['INPUT1'], but missing required "
       "input(s) ['INPUT0']. Please provide all required input(s)."},
      {"the wrong datatype", kSimpleConfig, {{"INPUT0", "FP32", {1, 4}, Int32Bytes(4)}, input1}, {},
       StatusCode::kInvalidArgument, "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'"},
      {"the wrong shape", kSimpleConfig, {Int32Input("INPUT0", {1, 5}), input1}, {}, StatusCode::kInvalidArgument,
       "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,4], got [1,5]. NOTE: Setting a "
       "non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. "
       "If you want to specify the full shape including the batch dim in your input dims config, try setting "
       "max_batch_size to zero. See the model configuration docs for more info on max_batch_size."},
      {"a batch over max_batch_size", kSimpleConfig, {Int32Input("INPUT0", {9, 4}), Int32Input("INPUT1", {9, 4})},
       {}, StatusCode::kInvalidArgument,
       "inference request batch-size must be <= 8 for 'simple' (input 'INPUT0' has shape [9,4])"},
      {"batch sizes that differ", kSimpleConfig, {Int32Input("INPUT0", {2, 4}), input1}, {},
       StatusCode::kInvalidArgument,
       "input 'INPUT1' batch size does not match other inputs for 'simple' (1 rows, input 'INPUT0' has 2)"},
      {"an unknown output", kSimpleConfig, {Int32Input("INPUT0", {1, 4}), input1}, {"OUTPUT7"},
       StatusCode::kInvalidArgument,
       "unexpected inference output 'OUTPUT7' for model 'simple'; the model's outputs are 'OUTPUT0', 'OUTPUT1'"},
      {"strings that fit the shape", kTextConfig, {{"TEXT", "BYTES", {2}, BytesLayout({"stop", "go"})}}, {},
       StatusCode::kOk, ""},
      {"fewer strings than the shape holds", kTextConfig, {{"TEXT", "BYTES", {2}, BytesLayout({"stop"})}}, {},
       StatusCode::kInvalidArgument, "model 'text': tensor 'TEXT': expected 2 BYTES elements for its shape, got 1"},
      {"a string length cut short", kTextConfig,
       {{"TEXT", "BYTES", {2}, BytesLayout({"stop", "go"}).substr(0, 9)}}, {}, StatusCode::kInvalidArgument,
       "model 'text': tensor 'TEXT': BYTES element 1 is truncated: a 4-byte length prefix needs 3 more bytes"},
  };
  for (const CheckCase& c : cases) {
    const inference::ModelConfig config = Config(c.config);
    const Status http = ThroughHttp(c, config);
    const Status grpc = ThroughGrpc(c, config);
    EXPECT_EQ(http.code(), c.code) << c.what << ": " << http.ToString();
    EXPECT_EQ(http.ok() ? "" : http.message(), c.message) << c.what << " (HTTP)";
    EXPECT_EQ(grpc.code(), http.code()) << c.what << ": " << grpc.ToString();
    EXPECT_EQ(grpc.ok() ? "" : grpc.message(), http.ok() ? "" : http.message()) << c.what << " (gRPC)";
  }
}

}  // namespace
}  // namespace inferd
