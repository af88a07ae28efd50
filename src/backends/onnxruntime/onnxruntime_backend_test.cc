// Runs real ONNX models through the backend module, loaded the way the server
// loads it: BackendRegistry + dlopen of <build>/backends/libinferd_onnxruntime.so.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "backends/backend_registry.h"
#include "backends/onnxruntime/test_onnx_models.h"

// LeakSanitizer builds: libonnxruntime itself leaks 14 bytes when an Ort::Env
// is created (reproduced with a bare Env in a three-line program, destroyed or
// not). Suppress leaks reported inside that library only; ours still count.
extern "C" const char* __lsan_default_suppressions() { return "leak:libonnxruntime.so\n"; }

namespace inferd {
namespace {

namespace fs = std::filesystem;
using namespace inferd::ort::testing;

template <typename T>
Tensor MakeTensor(const std::string& name, DataType datatype, Shape shape, const std::vector<T>& values) {
  std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  return Tensor::FromBuffer(name, datatype, std::move(shape), std::move(bytes));
}

Tensor MakeBytesTensor(const std::string& name, Shape shape, const std::vector<std::string>& elements) {
  std::string bytes;
  for (const std::string& element : elements) AppendBytesElement(element, &bytes);
  return Tensor::FromBuffer(name, DataType::kBytes, std::move(shape), std::move(bytes));
}

template <typename T>
std::vector<T> Values(const Tensor& tensor) {
  std::vector<T> values(tensor.byte_size / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), tensor.data, values.size() * sizeof(T));
  return values;
}

std::vector<std::string> BytesElements(const Tensor& tensor) {
  std::vector<std::string> elements;
  Status status = ForEachBytesElement(tensor.bytes(), -1, tensor.name,
                                      [&](std::string_view element) { elements.emplace_back(element); });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return elements;
}

inference::ModelConfig ConfigNamed(const std::string& name) {
  inference::ModelConfig config;
  config.set_name(name);
  config.set_backend("onnxruntime");
  return config;
}

InstanceSettings CpuSettings(const std::string& name, int threads = 1) {
  InstanceSettings settings;
  settings.name = name;
  settings.intra_op_threads = threads;
  return settings;
}

class OnnxRuntimeBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new BackendRegistry(INFERD_BACKEND_DIR);
    Result<Backend*> backend = registry_->Get("onnxruntime");
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = *backend;
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
    backend_ = nullptr;
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fs::path("inferd_ort_test_" + std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string WriteModel(const std::string& file_name, const std::string& bytes) {
    const std::string path = (dir_ / file_name).string();
    EXPECT_TRUE(WriteFile(path, bytes)) << path;
    return path;
  }

  std::unique_ptr<BackendInstance> CreateOrFail(const std::string& path, const inference::ModelConfig& config,
                                                const InstanceSettings& settings) {
    Result<std::unique_ptr<BackendInstance>> instance = backend_->CreateInstance(path, config, settings);
    EXPECT_TRUE(instance.ok()) << instance.status().ToString();
    return instance.ok() ? std::move(*instance) : nullptr;
  }

  static BackendRegistry* registry_;
  static Backend* backend_;
  fs::path dir_;
};

BackendRegistry* OnnxRuntimeBackendTest::registry_ = nullptr;
Backend* OnnxRuntimeBackendTest::backend_ = nullptr;

TEST_F(OnnxRuntimeBackendTest, NamesItself) {
  EXPECT_EQ(backend_->Name(), "onnxruntime");
  EXPECT_EQ(backend_->DefaultModelFilename(), "model.onnx");
}

TEST_F(OnnxRuntimeBackendTest, DescribeModelReportsNamesTypesAndSymbolicDims) {
  const std::string path = WriteModel("add_sub.onnx", AddSubModel(kOnnxInt32));
  Result<ModelFileInfo> info = backend_->DescribeModel(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->inputs.size(), 2u);
  ASSERT_EQ(info->outputs.size(), 2u);
  EXPECT_EQ(info->inputs[0].name, "INPUT0");
  EXPECT_EQ(info->inputs[1].name, "INPUT1");
  EXPECT_EQ(info->outputs[0].name, "OUTPUT0");
  EXPECT_EQ(info->outputs[1].name, "OUTPUT1");
  EXPECT_EQ(info->inputs[0].datatype, DataType::kInt32);
  EXPECT_EQ(info->outputs[1].datatype, DataType::kInt32);
  EXPECT_EQ(info->inputs[0].shape, (Shape{-1, 16}));
  EXPECT_EQ(info->outputs[0].shape, (Shape{-1, 16}));
}

TEST_F(OnnxRuntimeBackendTest, AddSubInt32ReturnsEveryOutputInModelOrder) {
  auto instance = CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxInt32)), ConfigNamed("simple"),
                               CpuSettings("simple_0_0"));
  ASSERT_NE(instance, nullptr);
  std::vector<int32_t> a(32), b(32);
  for (int i = 0; i < 32; ++i) {
    a[i] = i;
    b[i] = 2 * i - 7;
  }
  ExecutionTimings timings;
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {MakeTensor("INPUT0", DataType::kInt32, {2, 16}, a), MakeTensor("INPUT1", DataType::kInt32, {2, 16}, b)}, {}, {},
      &timings);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  ASSERT_EQ(outputs->size(), 2u);
  EXPECT_EQ((*outputs)[0].name, "OUTPUT0");
  EXPECT_EQ((*outputs)[1].name, "OUTPUT1");
  for (const Tensor& output : *outputs) {
    EXPECT_EQ(output.datatype, DataType::kInt32);
    EXPECT_EQ(output.shape, (Shape{2, 16}));
    EXPECT_EQ(output.byte_size, 32 * sizeof(int32_t));
    EXPECT_NE(output.owner, nullptr);  // keeps the ORT value (and so `data`) alive
  }
  const std::vector<int32_t> sum = Values<int32_t>((*outputs)[0]);
  const std::vector<int32_t> difference = Values<int32_t>((*outputs)[1]);
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(sum[i], a[i] + b[i]) << i;
    EXPECT_EQ(difference[i], a[i] - b[i]) << i;
  }
  EXPECT_GT(timings.compute_infer_ns, 0u);
  EXPECT_GT(timings.compute_input_ns + timings.compute_output_ns, 0u);
}

TEST_F(OnnxRuntimeBackendTest, OutputsOutliveTheirInstance) {
  Tensor difference;
  {
    auto instance =
        CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxFloat)), ConfigNamed("simple"), CpuSettings("i"));
    ASSERT_NE(instance, nullptr);
    std::vector<float> a(16, 5.5f), b(16, 2.0f);
    Result<std::vector<Tensor>> outputs = instance->Execute(
        {MakeTensor("INPUT0", DataType::kFp32, {1, 16}, a), MakeTensor("INPUT1", DataType::kFp32, {1, 16}, b)},
        {"OUTPUT1"}, {}, nullptr);
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    difference = (*outputs)[0];
  }
  EXPECT_EQ(Values<float>(difference), std::vector<float>(16, 3.5f));
}

TEST_F(OnnxRuntimeBackendTest, SelectedOutputsComeInRequestedOrder) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxInt32)), ConfigNamed("simple"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  std::vector<int32_t> a(16, 10), b(16, 3);
  const std::vector<Tensor> inputs = {MakeTensor("INPUT0", DataType::kInt32, {1, 16}, a),
                                      MakeTensor("INPUT1", DataType::kInt32, {1, 16}, b)};

  Result<std::vector<Tensor>> only_difference = instance->Execute(inputs, {"OUTPUT1"}, {}, nullptr);
  ASSERT_TRUE(only_difference.ok()) << only_difference.status().ToString();
  ASSERT_EQ(only_difference->size(), 1u);
  EXPECT_EQ((*only_difference)[0].name, "OUTPUT1");
  EXPECT_EQ(Values<int32_t>((*only_difference)[0]), std::vector<int32_t>(16, 7));

  Result<std::vector<Tensor>> reversed = instance->Execute(inputs, {"OUTPUT1", "OUTPUT0", "OUTPUT1"}, {}, nullptr);
  ASSERT_TRUE(reversed.ok()) << reversed.status().ToString();
  ASSERT_EQ(reversed->size(), 3u);
  EXPECT_EQ((*reversed)[0].name, "OUTPUT1");
  EXPECT_EQ((*reversed)[1].name, "OUTPUT0");
  EXPECT_EQ((*reversed)[2].name, "OUTPUT1");
  EXPECT_EQ(Values<int32_t>((*reversed)[1]), std::vector<int32_t>(16, 13));
  EXPECT_EQ(Values<int32_t>((*reversed)[2]), std::vector<int32_t>(16, 7));
}

TEST_F(OnnxRuntimeBackendTest, UnknownOutputNameIsInvalidArgumentNamingModelAndTensor) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxInt32)), ConfigNamed("simple"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  std::vector<int32_t> a(16, 1);
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {MakeTensor("INPUT0", DataType::kInt32, {1, 16}, a), MakeTensor("INPUT1", DataType::kInt32, {1, 16}, a)},
      {"OUTPUT0", "OUTPUT9"}, {}, nullptr);
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outputs.status().message(), "model 'simple': unknown output 'OUTPUT9' (the model has: OUTPUT0, OUTPUT1)");
}

TEST_F(OnnxRuntimeBackendTest, BadInputsAreRefusedNamingModelAndTensor) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxInt32)), ConfigNamed("simple"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  const std::vector<int32_t> row(16, 1);
  const Tensor input1 = MakeTensor("INPUT1", DataType::kInt32, {1, 16}, row);

  // What reaches a backend has passed the core's request validator; these
  // are the mismatches between a config and its model file that remain
  // possible, and the memory guard for a caller that bypasses the validator.
  struct Case {
    const char* what;
    std::vector<Tensor> inputs;
    std::string expected_fragment;
    StatusCode code = StatusCode::kInvalidArgument;
  };
  const std::vector<Case> cases = {
      {"wrong dimension", {MakeTensor("INPUT0", DataType::kInt32, {1, 15}, std::vector<int32_t>(15)), input1},
       "INPUT0"},
      {"wrong datatype", {MakeTensor("INPUT0", DataType::kFp32, {1, 16}, std::vector<float>(16)), input1},
       "input 'INPUT0' has datatype FP32 but the model expects INT32"},
      {"too few bytes", {MakeTensor("INPUT0", DataType::kInt32, {2, 16}, row), input1},
       "input 'INPUT0' reached the backend with 64 bytes for shape [2,16] of INT32 (128)", StatusCode::kInternal},
      {"unknown input", {MakeTensor("INPUT7", DataType::kInt32, {1, 16}, row), input1}, "unknown input 'INPUT7'"},
      {"missing input", {input1}, "missing input 'INPUT0'"},
  };
  for (const Case& c : cases) {
    Result<std::vector<Tensor>> outputs = instance->Execute(c.inputs, {}, {}, nullptr);
    ASSERT_FALSE(outputs.ok()) << c.what;
    EXPECT_EQ(outputs.status().code(), c.code) << c.what << ": " << outputs.status().ToString();
    EXPECT_EQ(outputs.status().message().rfind("model 'simple': ", 0), 0u) << outputs.status().message();
    EXPECT_NE(outputs.status().message().find(c.expected_fragment), std::string::npos)
        << c.what << ": " << outputs.status().message();
  }
}

TEST_F(OnnxRuntimeBackendTest, MisalignedAndEmptyInputsWork) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", AddSubModel(kOnnxInt32)), ConfigNamed("simple"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  // INPUT0's bytes start at an odd address, as a binary tensor inside an
  // HTTP body may.
  std::vector<int32_t> a(16), b(16, 4);
  for (int i = 0; i < 16; ++i) a[i] = 100 + i;
  auto buffer = std::make_shared<std::string>(1 + a.size() * sizeof(int32_t), '\0');
  std::memcpy(buffer->data() + 1, a.data(), a.size() * sizeof(int32_t));
  Tensor misaligned;
  misaligned.name = "INPUT0";
  misaligned.datatype = DataType::kInt32;
  misaligned.shape = {1, 16};
  misaligned.data = buffer->data() + 1;
  misaligned.byte_size = a.size() * sizeof(int32_t);
  misaligned.owner = buffer;
  Result<std::vector<Tensor>> outputs =
      instance->Execute({misaligned, MakeTensor("INPUT1", DataType::kInt32, {1, 16}, b)}, {"OUTPUT0"}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  for (int i = 0; i < 16; ++i) EXPECT_EQ(Values<int32_t>((*outputs)[0])[i], 104 + i);

  // A batch of zero rows is valid and yields empty outputs.
  Result<std::vector<Tensor>> empty = instance->Execute(
      {MakeTensor("INPUT0", DataType::kInt32, {0, 16}, std::vector<int32_t>{}),
       MakeTensor("INPUT1", DataType::kInt32, {0, 16}, std::vector<int32_t>{})},
      {}, {}, nullptr);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ((*empty)[0].shape, (Shape{0, 16}));
  EXPECT_EQ((*empty)[0].byte_size, 0u);
}

// Zero rows in, zero rows out, without running the model: exported models
// often cannot run an empty batch (PP-OCRv4 recognition fails in a Reshape),
// and an OCR pipeline that found no text must still answer. Run, ORT would
// report the width it was given; the answer without running has no width.
TEST_F(OnnxRuntimeBackendTest, ZeroRowRequestIsAnsweredWithoutRunningTheModel) {
  const std::vector<OnnxDim> dims = {std::string("batch"), std::string("width")};
  const std::string model = BuildOnnxModel({{"Identity", {"INPUT0"}, {"OUTPUT0"}, {}}},
                                           {{"INPUT0", kOnnxFloat, dims}}, {{"OUTPUT0", kOnnxFloat, dims}});
  auto instance = CreateOrFail(WriteModel("m.onnx", model), ConfigNamed("rows"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  Result<std::vector<Tensor>> empty =
      instance->Execute({MakeTensor("INPUT0", DataType::kFp32, {0, 5}, std::vector<float>{})}, {}, {}, nullptr);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  ASSERT_EQ(empty->size(), 1u);
  EXPECT_EQ((*empty)[0].name, "OUTPUT0");
  EXPECT_EQ((*empty)[0].datatype, DataType::kFp32);
  EXPECT_EQ((*empty)[0].shape, (Shape{0, 0}));
  EXPECT_EQ((*empty)[0].byte_size, 0u);

  // One row runs the model as usual.
  Result<std::vector<Tensor>> one =
      instance->Execute({MakeTensor("INPUT0", DataType::kFp32, {1, 5}, std::vector<float>(5, 2.0f))}, {}, {}, nullptr);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ((*one)[0].shape, (Shape{1, 5}));
}

// Every fixed-size KServe datatype round-trips through an Identity model
// bit for bit.
TEST_F(OnnxRuntimeBackendTest, IdentityRoundTripsEveryFixedSizeDatatype) {
  struct Case {
    DataType datatype;
    int onnx_type;
    size_t element_size;
  };
  const Case cases[] = {
      {DataType::kBool, kOnnxBool, 1},       {DataType::kUint8, kOnnxUint8, 1},
      {DataType::kUint16, kOnnxUint16, 2},   {DataType::kUint32, kOnnxUint32, 4},
      {DataType::kUint64, kOnnxUint64, 8},   {DataType::kInt8, kOnnxInt8, 1},
      {DataType::kInt16, kOnnxInt16, 2},     {DataType::kInt32, kOnnxInt32, 4},
      {DataType::kInt64, kOnnxInt64, 8},     {DataType::kFp16, kOnnxFloat16, 2},
      {DataType::kBf16, kOnnxBfloat16, 2},   {DataType::kFp32, kOnnxFloat, 4},
      {DataType::kFp64, kOnnxDouble, 8},
  };
  for (const Case& c : cases) {
    const std::string type_name(DataTypeName(c.datatype));
    const std::string path = WriteModel("identity_" + type_name + ".onnx", IdentityModel(c.onnx_type));
    Result<ModelFileInfo> info = backend_->DescribeModel(path);
    ASSERT_TRUE(info.ok()) << type_name << ": " << info.status().ToString();
    EXPECT_EQ(info->inputs[0].datatype, c.datatype) << type_name;

    auto instance = CreateOrFail(path, ConfigNamed("identity_" + type_name), CpuSettings("i"));
    ASSERT_NE(instance, nullptr) << type_name;
    std::string bytes(2 * 3 * c.element_size, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) {
      // BOOL must hold 0 or 1; other types take any bit pattern that is not
      // a NaN (so floating types compare equal).
      bytes[i] = c.datatype == DataType::kBool ? static_cast<char>(i % 2) : static_cast<char>((i * 7 + 1) & 0x3f);
    }
    Result<std::vector<Tensor>> outputs =
        instance->Execute({Tensor::FromBuffer("INPUT0", c.datatype, {2, 3}, bytes)}, {}, {}, nullptr);
    ASSERT_TRUE(outputs.ok()) << type_name << ": " << outputs.status().ToString();
    ASSERT_EQ(outputs->size(), 1u);
    EXPECT_EQ((*outputs)[0].datatype, c.datatype) << type_name;
    EXPECT_EQ((*outputs)[0].shape, (Shape{2, 3})) << type_name;
    EXPECT_EQ((*outputs)[0].bytes(), bytes) << type_name;
  }
}

TEST_F(OnnxRuntimeBackendTest, BytesRoundTripKeepsEmptyAndBinaryElements) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", IdentityModel(kOnnxString)), ConfigNamed("identity_bytes"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  const std::vector<std::string> elements = {"hello", "", std::string("a\0b", 3), "x", std::string(300, 'z'), "é"};
  const Tensor input = MakeBytesTensor("INPUT0", {2, 3}, elements);
  Result<std::vector<Tensor>> outputs = instance->Execute({input}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ((*outputs)[0].datatype, DataType::kBytes);
  EXPECT_EQ((*outputs)[0].shape, (Shape{2, 3}));
  EXPECT_EQ(BytesElements((*outputs)[0]), elements);
  EXPECT_EQ((*outputs)[0].bytes(), input.bytes());  // the exact KServe layout

  // A BYTES buffer holding fewer elements than its shape says is refused.
  Result<std::vector<Tensor>> short_input =
      instance->Execute({MakeBytesTensor("INPUT0", {2, 3}, {"only", "two"})}, {}, {}, nullptr);
  ASSERT_FALSE(short_input.ok());
  EXPECT_EQ(short_input.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_input.status().message().find("model 'identity_bytes'"), std::string::npos);
  EXPECT_NE(short_input.status().message().find("INPUT0"), std::string::npos) << short_input.status().message();
}

TEST_F(OnnxRuntimeBackendTest, StringAddSubComputesOnDecimalText) {
  auto instance =
      CreateOrFail(WriteModel("m.onnx", StringAddSubModel()), ConfigNamed("simple_string"), CpuSettings("i"));
  ASSERT_NE(instance, nullptr);
  std::vector<std::string> a, b;
  for (int i = 0; i < 16; ++i) {
    a.push_back(std::to_string(i * 3));
    b.push_back(std::to_string(5 - i));
  }
  Result<std::vector<Tensor>> outputs =
      instance->Execute({MakeBytesTensor("INPUT0", {1, 16}, a), MakeBytesTensor("INPUT1", {1, 16}, b)}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  const std::vector<std::string> sums = BytesElements((*outputs)[0]);
  const std::vector<std::string> differences = BytesElements((*outputs)[1]);
  ASSERT_EQ(sums.size(), 16u);
  ASSERT_EQ(differences.size(), 16u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(sums[i], std::to_string(i * 3 + 5 - i));
    EXPECT_EQ(differences[i], std::to_string(i * 3 - (5 - i)));
  }
}

TEST_F(OnnxRuntimeBackendTest, CorruptModelFileFailsNamingThePath) {
  const std::string path = WriteModel("corrupt.onnx", std::string("\x08\x07garbage that is not a model\xff\xff", 32));
  Result<std::unique_ptr<BackendInstance>> instance =
      backend_->CreateInstance(path, ConfigNamed("broken"), CpuSettings("broken_0"));
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.status().code(), StatusCode::kInvalidArgument) << instance.status().ToString();
  EXPECT_EQ(instance.status().message().rfind("model 'broken': ", 0), 0u) << instance.status().message();
  EXPECT_NE(instance.status().message().find(path), std::string::npos) << instance.status().message();

  Result<ModelFileInfo> info = backend_->DescribeModel(path);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find(path), std::string::npos) << info.status().message();
}

TEST_F(OnnxRuntimeBackendTest, MissingModelFileIsNotFoundNamingThePath) {
  const std::string path = (dir_ / "absent" / "model.onnx").string();
  Result<std::unique_ptr<BackendInstance>> instance =
      backend_->CreateInstance(path, ConfigNamed("ghost"), CpuSettings("ghost_0"));
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(instance.status().message(), "model 'ghost': model file '" + path + "' does not exist");

  Result<ModelFileInfo> info = backend_->DescribeModel(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kNotFound);
  EXPECT_NE(info.status().message().find(path), std::string::npos);
}

TEST_F(OnnxRuntimeBackendTest, ModelFolderHoldingModelOnnxLoads) {
  fs::create_directories(dir_ / "folder_model");
  WriteModel("folder_model/model.onnx", IdentityModel(kOnnxFloat));
  Result<ModelFileInfo> info = backend_->DescribeModel((dir_ / "folder_model").string());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->outputs[0].name, "OUTPUT0");
}

TEST_F(OnnxRuntimeBackendTest, ConfigParametersAreAppliedOrRejected) {
  const std::string path = WriteModel("m.onnx", AddSubModel(kOnnxInt32));
  inference::ModelConfig tuned = ConfigNamed("tuned");
  (*tuned.mutable_parameters())["intra_op_thread_count"].set_string_value("2");
  (*tuned.mutable_parameters())["inter_op_thread_count"].set_string_value("2");
  (*tuned.mutable_parameters())["execution_mode"].set_string_value("1");
  (*tuned.mutable_parameters())["enable_mem_arena"].set_string_value("false");
  (*tuned.mutable_parameters())["session.intra_op.allow_spinning"].set_string_value("1");
  tuned.mutable_optimization()->mutable_graph()->set_level(1);
  InstanceSettings default_threads = CpuSettings("tuned_0", 0);
  auto instance = CreateOrFail(path, tuned, default_threads);
  ASSERT_NE(instance, nullptr);
  std::vector<int32_t> a(16, 2);
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {MakeTensor("INPUT0", DataType::kInt32, {1, 16}, a), MakeTensor("INPUT1", DataType::kInt32, {1, 16}, a)},
      {"OUTPUT0"}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ(Values<int32_t>((*outputs)[0]), std::vector<int32_t>(16, 4));

  const std::pair<const char*, const char*> bad_parameters[] = {
      {"execution_mode", "2"},
      {"intra_op_thread_count", "many"},
      {"inter_op_thread_count", "-1"},
      {"enable_mem_pattern", "maybe"},
  };
  for (const auto& [key, value] : bad_parameters) {
    inference::ModelConfig config = ConfigNamed("badly_tuned");
    (*config.mutable_parameters())[key].set_string_value(value);
    Result<std::unique_ptr<BackendInstance>> rejected = backend_->CreateInstance(path, config, CpuSettings("b"));
    ASSERT_FALSE(rejected.ok()) << key;
    EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(rejected.status().message().find("model 'badly_tuned'"), std::string::npos);
    EXPECT_NE(rejected.status().message().find(key), std::string::npos) << rejected.status().message();
  }
}

TEST_F(OnnxRuntimeBackendTest, GpuWithoutCudaProviderIsUnavailable) {
  const std::string path = WriteModel("m.onnx", AddSubModel(kOnnxInt32));
  InstanceSettings gpu = CpuSettings("gpu_0");
  gpu.gpu = true;
  Result<std::unique_ptr<BackendInstance>> instance = backend_->CreateInstance(path, ConfigNamed("x"), gpu);
  if (instance.ok()) GTEST_SKIP() << "this ONNX Runtime has a CUDA execution provider and a GPU";
  EXPECT_EQ(instance.status().code(), StatusCode::kUnavailable) << instance.status().ToString();
  // Either the provider is not built in at all, or (the npm package's build)
  // it is listed but its library is not installed.
  const std::string& message = instance.status().message();
  EXPECT_EQ(message.rfind("model 'x': KIND_GPU requested but this ONNX Runtime has no ", 0), 0u) << message;
  EXPECT_NE(message.find("CUDA execution provider (available: "), std::string::npos) << message;
  EXPECT_NE(message.find("CPUExecutionProvider"), std::string::npos) << message;
}

TEST_F(OnnxRuntimeBackendTest, TwoInstancesExecuteConcurrently) {
  const std::string path = WriteModel("m.onnx", AddSubModel(kOnnxInt32));
  std::unique_ptr<BackendInstance> instances[2] = {
      CreateOrFail(path, ConfigNamed("simple"), CpuSettings("simple_0_0")),
      CreateOrFail(path, ConfigNamed("simple"), CpuSettings("simple_0_1"))};
  ASSERT_NE(instances[0], nullptr);
  ASSERT_NE(instances[1], nullptr);
  constexpr int kIterations = 300;
  std::atomic<int> wrong{0};
  auto worker = [&](int which) {
    for (int iteration = 0; iteration < kIterations; ++iteration) {
      const int32_t base = which * 100000 + iteration;
      std::vector<int32_t> a(48), b(48, which + 1);
      for (int i = 0; i < 48; ++i) a[i] = base + i;
      Result<std::vector<Tensor>> outputs = instances[which]->Execute(
          {MakeTensor("INPUT0", DataType::kInt32, {3, 16}, a), MakeTensor("INPUT1", DataType::kInt32, {3, 16}, b)},
          {}, {}, nullptr);
      if (!outputs.ok()) {
        ++wrong;
        continue;
      }
      const std::vector<int32_t> sum = Values<int32_t>((*outputs)[0]);
      const std::vector<int32_t> difference = Values<int32_t>((*outputs)[1]);
      for (int i = 0; i < 48; ++i) {
        if (sum[i] != a[i] + b[i] || difference[i] != a[i] - b[i]) ++wrong;
      }
    }
  };
  std::thread first(worker, 0), second(worker, 1);
  first.join();
  second.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The example repository's models, when scripts/make_example_models.py has
// generated them.
class ExampleModelsTest : public OnnxRuntimeBackendTest {
 protected:
  std::string ExampleModel(const std::string& name) {
    return std::string(INFERD_SOURCE_DIR) + "/examples/simple/" + name + "/1/model.onnx";
  }
};

TEST_F(ExampleModelsTest, SimpleAddsAndSubtracts) {
  const std::string path = ExampleModel("simple");
  if (!fs::exists(path)) GTEST_SKIP() << path << " is missing: run scripts/make_example_models.py";
  auto instance = CreateOrFail(path, ConfigNamed("simple"), CpuSettings("simple_0_0"));
  ASSERT_NE(instance, nullptr);
  std::vector<int32_t> a(16), b(16, 1);
  for (int i = 0; i < 16; ++i) a[i] = i;
  Result<std::vector<Tensor>> outputs = instance->Execute(
      {MakeTensor("INPUT0", DataType::kInt32, {1, 16}, a), MakeTensor("INPUT1", DataType::kInt32, {1, 16}, b)}, {},
      {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  ASSERT_EQ(outputs->size(), 2u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(Values<int32_t>((*outputs)[0])[i], i + 1);
    EXPECT_EQ(Values<int32_t>((*outputs)[1])[i], i - 1);
  }
}

TEST_F(ExampleModelsTest, SimpleStringAddsAndSubtractsText) {
  const std::string path = ExampleModel("simple_string");
  if (!fs::exists(path)) GTEST_SKIP() << path << " is missing: run scripts/make_example_models.py";
  auto instance = CreateOrFail(path, ConfigNamed("simple_string"), CpuSettings("simple_string_0_0"));
  ASSERT_NE(instance, nullptr);
  std::vector<std::string> a, b;
  for (int i = 0; i < 16; ++i) {
    a.push_back(std::to_string(i));
    b.push_back("2");
  }
  Result<std::vector<Tensor>> outputs =
      instance->Execute({MakeBytesTensor("INPUT0", {1, 16}, a), MakeBytesTensor("INPUT1", {1, 16}, b)}, {}, {}, nullptr);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  const std::vector<std::string> sums = BytesElements((*outputs)[0]);
  const std::vector<std::string> differences = BytesElements((*outputs)[1]);
  ASSERT_EQ(sums.size(), 16u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(sums[i], std::to_string(i + 2));
    EXPECT_EQ(differences[i], std::to_string(i - 2));
  }
}

}  // namespace
}  // namespace inferd
