#include "core/request_validator.h"

#include <google/protobuf/text_format.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// Counts heap allocations made while `g_counting` is set, so the test below
// can hold the validator to its "no allocation on success" promise.
// GCC 12 cannot see that the replaced new and delete below are a malloc/free
// pair and warns wherever it inlines them; the pairing is correct.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_counting{false};
std::atomic<int> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace inferd {
namespace {

using ::testing::HasSubstr;

inference::ModelConfig ParseConfig(const std::string& text) {
  inference::ModelConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

// A batched model in the style of Triton's "simple" example.
const char* const kBatchedConfig = R"pb(
  name: "simple"
  max_batch_size: 8
  input [
    { name: "INPUT0" data_type: TYPE_INT32 dims: [ 16 ] },
    { name: "INPUT1" data_type: TYPE_INT32 dims: [ 16 ] }
  ]
  output [
    { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 16 ] },
    { name: "OUTPUT1" data_type: TYPE_INT32 dims: [ 16 ] }
  ]
)pb";

// Unbatched, with a wildcard dimension and an optional input.
const char* const kUnbatchedConfig = R"pb(
  name: "points"
  max_batch_size: 0
  input [
    { name: "XYZ" data_type: TYPE_FP32 dims: [ -1, 3 ] },
    { name: "SCALE" data_type: TYPE_FP64 dims: [ 1 ] optional: true }
  ]
  output [ { name: "CENTER" data_type: TYPE_FP32 dims: [ 3 ] } ]
)pb";

// The request follows `dims`; `reshape` is only what the backend sees.
const char* const kReshapeConfig = R"pb(
  name: "scalar"
  max_batch_size: 4
  input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [] } } ]
  output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]
)pb";

const char* const kBytesConfig = R"pb(
  name: "tokenizer"
  max_batch_size: 2
  input [ { name: "TEXT" data_type: TYPE_STRING dims: [ -1 ] } ]
  output [ { name: "IDS" data_type: TYPE_INT64 dims: [ -1 ] } ]
)pb";

const char* const kBrokenTypeConfig = R"pb(
  name: "broken"
  input [ { name: "in" data_type: TYPE_INVALID dims: [ 1 ] } ]
)pb";

// A tensor whose byte size matches its shape (zeros).
Tensor Fixed(std::string name, DataType type, Shape shape) {
  const int64_t elements = ElementCount(shape);
  const size_t bytes = elements < 0 ? 0 : static_cast<size_t>(elements) * DataTypeByteSize(type);
  return Tensor::FromBuffer(std::move(name), type, std::move(shape), std::string(bytes, '\0'));
}

Tensor FixedWithBytes(std::string name, DataType type, Shape shape, size_t byte_size) {
  return Tensor::FromBuffer(std::move(name), type, std::move(shape), std::string(byte_size, '\0'));
}

Tensor Strings(std::string name, Shape shape, const std::vector<std::string>& elements) {
  std::string buffer;
  for (const std::string& element : elements) AppendBytesElement(element, &buffer);
  return Tensor::FromBuffer(std::move(name), DataType::kBytes, std::move(shape), std::move(buffer));
}

Tensor RawBytes(std::string name, Shape shape, std::string buffer) {
  return Tensor::FromBuffer(std::move(name), DataType::kBytes, std::move(shape), std::move(buffer));
}

struct Case {
  std::string label;
  const char* config;
  std::vector<Tensor> inputs;
  std::vector<std::string> outputs;
  int64_t expected_batch = 0;  // checked when expected_error is empty
  StatusCode expected_code = StatusCode::kOk;
  std::string expected_error;  // a substring of the message
};

Case Accept(std::string label, const char* config, std::vector<Tensor> inputs, int64_t batch,
            std::vector<std::string> outputs = {}) {
  return Case{std::move(label), config, std::move(inputs), std::move(outputs), batch, StatusCode::kOk, ""};
}

Case Reject(std::string label, const char* config, std::vector<Tensor> inputs, std::string error,
            std::vector<std::string> outputs = {}, StatusCode code = StatusCode::kInvalidArgument) {
  return Case{std::move(label), config, std::move(inputs), std::move(outputs), 0, code, std::move(error)};
}

Tensor I32(std::string name, Shape shape) { return Fixed(std::move(name), DataType::kInt32, std::move(shape)); }
Tensor F32(std::string name, Shape shape) { return Fixed(std::move(name), DataType::kFp32, std::move(shape)); }

std::vector<Case> AllCases() {
  const char* const simple = kBatchedConfig;
  const char* const points = kUnbatchedConfig;
  std::vector<Case> cases;
  // --- batched: presence, names, datatypes
  cases.push_back(Accept("batch of one", simple, {I32("INPUT0", {1, 16}), I32("INPUT1", {1, 16})}, 1));
  cases.push_back(Accept("any order, full batch", simple, {I32("INPUT1", {8, 16}), I32("INPUT0", {8, 16})}, 8));
  cases.push_back(Reject("missing one input", simple, {I32("INPUT0", {1, 16})},
                         "expected 2 inputs but got 1 inputs for model 'simple'. Got input(s) ['INPUT0'], but missing required input(s) ['INPUT1']. Please provide all required input(s)."));
  cases.push_back(Reject("missing every input", simple, {},
                         "expected 2 inputs but got 0 inputs for model 'simple'. Got input(s) [], but missing required input(s) ['INPUT0','INPUT1']. Please provide all required input(s)."));
  cases.push_back(Reject("unknown input", simple,
                         {I32("INPUT0", {1, 16}), I32("INPUT1", {1, 16}), I32("INPUT9", {1, 16})},
                         "unexpected inference input 'INPUT9' for model 'simple'; the model's inputs are 'INPUT0', 'INPUT1'"));
  cases.push_back(Reject("duplicate input", simple,
                         {I32("INPUT0", {1, 16}), I32("INPUT1", {1, 16}), I32("INPUT0", {1, 16})},
                         "input 'INPUT0' for model 'simple': appears more than once in the request"));
  cases.push_back(Reject("wrong datatype", simple, {F32("INPUT0", {1, 16}), I32("INPUT1", {1, 16})},
                         "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'"));
  // --- batched: shapes and batch sizes
  cases.push_back(Reject("wrong dimension", simple, {I32("INPUT0", {1, 15}), I32("INPUT1", {1, 16})},
                         "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,15]."));
  cases.push_back(Reject("batch dimension left out", simple, {I32("INPUT0", {16}), I32("INPUT1", {1, 16})},
                         "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [16]."));
  cases.push_back(Reject("batch above max_batch_size", simple, {I32("INPUT0", {9, 16}), I32("INPUT1", {9, 16})},
                         "inference request batch-size must be <= 8 for 'simple'"));
  cases.push_back(Reject("batch of zero", simple, {I32("INPUT0", {0, 16}), I32("INPUT1", {0, 16})},
                         "input 'INPUT0' for model 'simple': batch size 0 (first dimension of [0,16]) must be at least 1"));
  cases.push_back(Reject("inputs disagree on batch", simple, {I32("INPUT0", {2, 16}), I32("INPUT1", {3, 16})},
                         "input 'INPUT1' batch size does not match other inputs for 'simple'"));
  cases.push_back(Reject("negative request dimension", simple,
                         {FixedWithBytes("INPUT0", DataType::kInt32, {1, -16}, 64), I32("INPUT1", {1, 16})},
                         "All input dimensions should be specified for input 'INPUT0' for model 'simple', got [1,-16]"));
  // --- batched: byte sizes
  cases.push_back(Reject("byte size too small", simple,
                         {FixedWithBytes("INPUT0", DataType::kInt32, {1, 16}, 60), I32("INPUT1", {1, 16})},
                         "input byte size mismatch for input 'INPUT0' for model 'simple'. Expected 64, got 60 (shape [1,16] of INT32)"));
  cases.push_back(Reject("byte size too large", simple,
                         {I32("INPUT0", {2, 16}), FixedWithBytes("INPUT1", DataType::kInt32, {2, 16}, 129)},
                         "input byte size mismatch for input 'INPUT1' for model 'simple'. Expected 128, got 129 (shape [2,16] of INT32)"));
  // --- requested outputs
  cases.push_back(Accept("known outputs", simple, {I32("INPUT0", {4, 16}), I32("INPUT1", {4, 16})}, 4,
                         {"OUTPUT1", "OUTPUT0"}));
  cases.push_back(Reject("unknown output", simple, {I32("INPUT0", {1, 16}), I32("INPUT1", {1, 16})},
                         "unexpected inference output 'OUTPUT9' for model 'simple'; the model's outputs are "
                         "'OUTPUT0', 'OUTPUT1'",
                         {"OUTPUT0", "OUTPUT9"}));
  cases.push_back(Reject("duplicate output", simple, {I32("INPUT0", {1, 16}), I32("INPUT1", {1, 16})},
                         "output 'OUTPUT0' for model 'simple' is requested more than once", {"OUTPUT0", "OUTPUT0"}));
  // --- unbatched, wildcards, optional inputs
  cases.push_back(Accept("wildcard dimension", points, {F32("XYZ", {5, 3})}, 1));
  cases.push_back(Accept("wildcard dimension of zero", points, {F32("XYZ", {0, 3})}, 1));
  cases.push_back(Accept("optional input given", points,
                         {Fixed("SCALE", DataType::kFp64, {1}), F32("XYZ", {7, 3})}, 1));
  cases.push_back(Reject("only the optional input", points, {Fixed("SCALE", DataType::kFp64, {1})},
                         "expected number of inputs between 1 and 2 but got 1 inputs for model 'points'. Got input(s) ['SCALE'], but missing required input(s) ['XYZ']. Please provide all required input(s)."));
  cases.push_back(Reject("fixed dimension after a wildcard", points, {F32("XYZ", {5, 4})},
                         "unexpected shape for input 'XYZ' for model 'points'. Expected [-1,3], got [5,4]."));
  cases.push_back(Reject("unbatched model given a batch dimension", points, {F32("XYZ", {1, 5, 3})},
                         "unexpected shape for input 'XYZ' for model 'points'. Expected [-1,3], got [1,5,3]."));
  cases.push_back(Reject("unbatched byte size", points, {FixedWithBytes("XYZ", DataType::kFp32, {2, 3}, 12)},
                         "input byte size mismatch for input 'XYZ' for model 'points'. Expected 24, got 12 (shape [2,3] of FP32)"));
  // --- reshape: requests follow dims
  cases.push_back(Accept("reshape: request uses dims", kReshapeConfig, {F32("x", {3, 1})}, 3));
  cases.push_back(Reject("reshape: request uses reshape", kReshapeConfig, {F32("x", {3})},
                         "unexpected shape for input 'x' for model 'scalar'. Expected [-1,1], got [3]."));
  // --- BYTES
  cases.push_back(
      Accept("strings", kBytesConfig, {Strings("TEXT", {2, 2}, {"a", "", "hello", "\xE2\x82\xAC"})}, 2));
  cases.push_back(Accept("empty string tensor", kBytesConfig, {Strings("TEXT", {1, 0}, {})}, 1));
  cases.push_back(Reject("fewer strings than the shape", kBytesConfig, {Strings("TEXT", {1, 3}, {"a", "b"})},
                         "model 'tokenizer': tensor 'TEXT': expected 3 BYTES elements for its shape, got 2"));
  cases.push_back(Reject("more strings than the shape", kBytesConfig, {Strings("TEXT", {1, 1}, {"a", "b"})},
                         "model 'tokenizer': tensor 'TEXT': expected 1 BYTES elements for its shape, got 2"));
  cases.push_back(Reject("truncated length prefix", kBytesConfig,
                         {RawBytes("TEXT", {1, 1}, std::string("\x05\x00", 2))},
                         "model 'tokenizer': tensor 'TEXT': BYTES element 0 is truncated"));
  cases.push_back(Reject("length beyond the buffer", kBytesConfig,
                         {RawBytes("TEXT", {1, 1}, std::string("\x09\x00\x00\x00" "abc", 7))},
                         "model 'tokenizer': tensor 'TEXT': BYTES element 0 declares 9 bytes but only 3 remain"));
  cases.push_back(Reject("fixed-size data for a string input", kBytesConfig, {I32("TEXT", {1, 4})},
                         "inference input 'TEXT' data-type is 'INT32', but model 'tokenizer' expects 'BYTES'"));
  // --- a config the validator should never have been given
  cases.push_back(Reject("config datatype invalid", kBrokenTypeConfig, {F32("in", {1})},
                         "model 'broken': input 'in'", {}, StatusCode::kInternal));
  return cases;
}

TEST(ValidateInferenceRequestTest, Table) {
  for (Case& test_case : AllCases()) {
    SCOPED_TRACE(test_case.label);
    const inference::ModelConfig config = ParseConfig(test_case.config);
    InferenceRequest request;
    request.model_name = config.name();
    request.inputs = std::move(test_case.inputs);
    for (std::string& output : test_case.outputs) {
      request.outputs.push_back(RequestedOutput{std::move(output), {}});
    }

    Result<int64_t> batch = ValidateInferenceRequest(request, config);
    // EXPECT + continue rather than ASSERT, so one failing case does not hide the rest.
    if (test_case.expected_error.empty()) {
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (batch.ok()) {
        EXPECT_EQ(*batch, test_case.expected_batch);
      }
    } else if (batch.ok()) {
      ADD_FAILURE() << "accepted with batch " << *batch << "; expected: " << test_case.expected_error;
    } else {
      EXPECT_EQ(batch.status().code(), test_case.expected_code) << batch.status().ToString();
      EXPECT_THAT(batch.status().message(), HasSubstr(test_case.expected_error));
    }
  }
}

TEST(ValidateInferenceRequestTest, SuccessPathDoesNotAllocate) {
  const inference::ModelConfig config = ParseConfig(kBatchedConfig);
  InferenceRequest request;
  request.inputs = {I32("INPUT0", {4, 16}), I32("INPUT1", {4, 16})};
  request.outputs = {RequestedOutput{"OUTPUT0", {}}};
  const inference::ModelConfig strings_config = ParseConfig(kBytesConfig);
  InferenceRequest strings_request;
  strings_request.inputs = {Strings("TEXT", {2, 2}, {"a", "bb", "ccc", "dddd"})};

  g_allocations = 0;
  g_counting = true;
  Result<int64_t> batch = ValidateInferenceRequest(request, config);
  Result<int64_t> strings_batch = ValidateInferenceRequest(strings_request, strings_config);
  g_counting = false;

  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_TRUE(strings_batch.ok()) << strings_batch.status().ToString();
  EXPECT_EQ(*batch, 4);
  EXPECT_EQ(*strings_batch, 2);
  EXPECT_EQ(g_allocations.load(), 0);
}

}  // namespace
}  // namespace inferd

namespace inferd {
namespace {

TEST(ReadSchedulingParametersTest, ReadsPriorityAndTimeoutAndDefaultsToZero) {
  InferenceRequest request;
  request.model_name = "m";
  Result<SchedulingParameters> none = ReadSchedulingParameters(request);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->priority, 0u);
  EXPECT_EQ(none->timeout_us, 0u);

  request.parameters["priority"] = int64_t{2};
  request.parameters["timeout"] = 1500.0;
  Result<SchedulingParameters> both = ReadSchedulingParameters(request);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->priority, 2u);
  EXPECT_EQ(both->timeout_us, 1500u);
}

TEST(ReadSchedulingParametersTest, RefusesValuesThatAreNotNonNegativeIntegers) {
  for (ParameterValue bad : {ParameterValue(int64_t{-1}), ParameterValue(std::string("5")), ParameterValue(true),
                             ParameterValue(1.5), ParameterValue(1e30)}) {
    InferenceRequest request;
    request.model_name = "m";
    request.parameters["timeout"] = bad;
    Result<SchedulingParameters> read = ReadSchedulingParameters(request);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(read.status().message(), "model 'm': request parameter 'timeout' must be a non-negative integer");
  }
}

}  // namespace
}  // namespace inferd
