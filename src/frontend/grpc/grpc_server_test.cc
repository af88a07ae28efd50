// GrpcServer over a real Server serving examples/simple, called through the
// generated C++ stub on an ephemeral port: the RPC-to-facade wiring, status
// codes, raw and typed tensors, and the streaming contract. Needs the example
// models (make setup) and the ONNX Runtime backend next to the build.
#include "frontend/grpc/grpc_server.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/server.h"
#include "grpc_service.grpc.pb.h"

namespace inferd::grpc_frontend {
namespace {

using inference::GRPCInferenceService;
using ::testing::HasSubstr;

std::string Int32Bytes(const std::vector<int32_t>& values) {
  std::string bytes(values.size() * sizeof(int32_t), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<int32_t> Int32Values(const std::string& bytes) {
  std::vector<int32_t> values(bytes.size() / sizeof(int32_t));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(int32_t));
  return values;
}

std::vector<int32_t> Iota16(int32_t start) {
  std::vector<int32_t> values(16);
  for (int i = 0; i < 16; ++i) values[static_cast<size_t>(i)] = start + i;
  return values;
}

// An inference request for "simple": INPUT0 = start.., INPUT1 = ones, raw.
inference::ModelInferRequest SimpleRequest(const std::string& id, int32_t start) {
  inference::ModelInferRequest request;
  request.set_model_name("simple");
  request.set_id(id);
  for (const char* name : {"INPUT0", "INPUT1"}) {
    auto* input = request.add_inputs();
    input->set_name(name);
    input->set_datatype("INT32");
    input->add_shape(1);
    input->add_shape(16);
  }
  request.add_raw_input_contents(Int32Bytes(Iota16(start)));
  request.add_raw_input_contents(Int32Bytes(std::vector<int32_t>(16, 1)));
  return request;
}

class GrpcServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string repository = std::string(INFERD_SOURCE_DIR) + "/examples/simple";
    if (!std::filesystem::exists(repository + "/simple/1/model.onnx")) return;  // each test skips
    ServerOptions options;
    options.model_repositories = {repository};
    options.backend_directory = INFERD_BACKEND_DIR;
    Result<std::unique_ptr<Server>> server = Server::Create(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value().release();

    GrpcServerOptions grpc_options;
    grpc_options.address = "127.0.0.1";
    grpc_options.port = 0;
    Result<std::unique_ptr<GrpcServer>> grpc = GrpcServer::Start(server_, grpc_options);
    ASSERT_TRUE(grpc.ok()) << grpc.status().ToString();
    grpc_ = std::move(grpc).value().release();
  }

  static void TearDownTestSuite() {
    if (grpc_ != nullptr) grpc_->Stop();
    delete grpc_;
    grpc_ = nullptr;
    if (server_ != nullptr) server_->Stop();
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "examples/simple has no models; run 'make setup' first";
    ASSERT_GT(grpc_->port(), 0);
    stub_ = GRPCInferenceService::NewStub(grpc::CreateChannel(fmt::format("127.0.0.1:{}", grpc_->port()),
                                                              grpc::InsecureChannelCredentials()));
  }

  // A context whose deadline keeps a broken server from hanging the test.
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return context;
  }

  static Server* server_;
  static GrpcServer* grpc_;
  std::unique_ptr<GRPCInferenceService::Stub> stub_;
};

Server* GrpcServerTest::server_ = nullptr;
GrpcServer* GrpcServerTest::grpc_ = nullptr;

TEST_F(GrpcServerTest, HealthAndServerMetadata) {
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub_->ServerLive(Context().get(), {}, &live).ok());
  EXPECT_TRUE(live.live());
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub_->ServerReady(Context().get(), {}, &ready).ok());
  EXPECT_TRUE(ready.ready());
  inference::ServerMetadataResponse metadata;
  ASSERT_TRUE(stub_->ServerMetadata(Context().get(), {}, &metadata).ok());
  EXPECT_EQ(metadata.name(), "inferd");
  EXPECT_FALSE(metadata.version().empty());
}

TEST_F(GrpcServerTest, ModelReadinessFollowsTriton) {
  inference::ModelReadyRequest request;
  request.set_name("simple");
  inference::ModelReadyResponse response;
  ASSERT_TRUE(stub_->ModelReady(Context().get(), request, &response).ok());
  EXPECT_TRUE(response.ready());
  // Unknown models and versions not served are "not ready", with an OK call.
  request.set_name("no_such_model");
  ASSERT_TRUE(stub_->ModelReady(Context().get(), request, &response).ok());
  EXPECT_FALSE(response.ready());
  request.set_name("simple_versioned");
  request.set_version("2");
  ASSERT_TRUE(stub_->ModelReady(Context().get(), request, &response).ok());
  EXPECT_FALSE(response.ready());
  request.set_version("x");
  EXPECT_EQ(stub_->ModelReady(Context().get(), request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcServerTest, MetadataConfigStatisticsAndIndex) {
  inference::ModelMetadataRequest metadata_request;
  metadata_request.set_name("simple");
  inference::ModelMetadataResponse metadata;
  ASSERT_TRUE(stub_->ModelMetadata(Context().get(), metadata_request, &metadata).ok());
  ASSERT_EQ(metadata.inputs_size(), 2);
  EXPECT_EQ(metadata.inputs(0).name(), "INPUT0");
  EXPECT_EQ(metadata.inputs(0).datatype(), "INT32");
  metadata_request.set_name("no_such_model");
  grpc::Status unknown = stub_->ModelMetadata(Context().get(), metadata_request, &metadata);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("no_such_model"));

  inference::ModelConfigRequest config_request;
  config_request.set_name("simple");
  inference::ModelConfigResponse config;
  ASSERT_TRUE(stub_->ModelConfig(Context().get(), config_request, &config).ok());
  EXPECT_EQ(config.config().name(), "simple");
  EXPECT_EQ(config.config().max_batch_size(), 8);

  inference::ModelStatisticsResponse stats;
  ASSERT_TRUE(stub_->ModelStatistics(Context().get(), {}, &stats).ok());
  std::set<std::string> names;
  for (const auto& model : stats.model_stats()) names.insert(model.name());
  EXPECT_TRUE(names.contains("simple"));

  inference::RepositoryIndexResponse index;
  ASSERT_TRUE(stub_->RepositoryIndex(Context().get(), {}, &index).ok());
  bool found = false;
  for (const auto& model : index.models()) found = found || model.name() == "simple_versioned";
  EXPECT_TRUE(found);
}

TEST_F(GrpcServerTest, RawInference) {
  inference::ModelInferResponse response;
  grpc::Status status = stub_->ModelInfer(Context().get(), SimpleRequest("raw-1", 0), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.model_name(), "simple");
  EXPECT_EQ(response.model_version(), "1");
  EXPECT_EQ(response.id(), "raw-1");
  ASSERT_EQ(response.outputs_size(), 2);
  ASSERT_EQ(response.raw_output_contents_size(), 2);
  std::map<std::string, std::vector<int32_t>> outputs;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(response.outputs(i).datatype(), "INT32");
    EXPECT_EQ(response.outputs(i).shape_size(), 2);
    outputs[response.outputs(i).name()] = Int32Values(response.raw_output_contents(i));
  }
  EXPECT_EQ(outputs["OUTPUT0"], Iota16(1));   // INPUT0 + INPUT1
  EXPECT_EQ(outputs["OUTPUT1"], Iota16(-1));  // INPUT0 - INPUT1
}

TEST_F(GrpcServerTest, TypedInferenceAndOutputSelection) {
  inference::ModelInferRequest request = SimpleRequest("typed", 10);
  request.clear_raw_input_contents();
  for (int32_t value : Iota16(10)) request.mutable_inputs(0)->mutable_contents()->add_int_contents(value);
  for (int i = 0; i < 16; ++i) request.mutable_inputs(1)->mutable_contents()->add_int_contents(2);
  request.add_outputs()->set_name("OUTPUT1");
  inference::ModelInferResponse response;
  grpc::Status status = stub_->ModelInfer(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.outputs_size(), 1);
  EXPECT_EQ(response.outputs(0).name(), "OUTPUT1");
  EXPECT_EQ(Int32Values(response.raw_output_contents(0)), Iota16(8));
}

TEST_F(GrpcServerTest, InferenceErrorsMapToStatusCodes) {
  inference::ModelInferResponse response;
  inference::ModelInferRequest unknown = SimpleRequest("", 0);
  unknown.set_model_name("no_such_model");
  EXPECT_EQ(stub_->ModelInfer(Context().get(), unknown, &response).error_code(), grpc::StatusCode::NOT_FOUND);

  inference::ModelInferRequest wrong_shape = SimpleRequest("", 0);
  wrong_shape.mutable_inputs(0)->set_shape(1, 8);
  grpc::Status status = stub_->ModelInfer(Context().get(), wrong_shape, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("INPUT0"));

  inference::ModelInferRequest short_raw = SimpleRequest("", 0);
  short_raw.mutable_raw_input_contents(1)->resize(10);
  status = stub_->ModelInfer(Context().get(), short_raw, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("INPUT1"));

  inference::RepositoryModelLoadRequest load;
  load.set_model_name("simple");
  inference::RepositoryModelLoadResponse loaded;
  status = stub_->RepositoryModelLoad(Context().get(), load, &loaded);
  // Model control mode "none" (the default), in Triton's words.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("explicit model load / unload is not allowed"));
  inference::SystemSharedMemoryStatusResponse shm;
  EXPECT_EQ(stub_->SystemSharedMemoryStatus(Context().get(), {}, &shm).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(GrpcServerTest, StreamAnswersEveryRequestAndSurvivesErrors) {
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub_->ModelStreamInfer(context.get());
  constexpr int kGood = 6;
  for (int i = 0; i < kGood; ++i) {
    ASSERT_TRUE(stream->Write(SimpleRequest(fmt::format("good-{}", i), i * 100)));
    if (i == 2) {
      inference::ModelInferRequest bad = SimpleRequest("bad", 0);
      bad.mutable_inputs(1)->set_datatype("FP32");
      ASSERT_TRUE(stream->Write(bad));
      inference::ModelInferRequest unknown = SimpleRequest("unknown", 0);
      unknown.set_model_name("no_such_model");
      ASSERT_TRUE(stream->Write(unknown));
    }
  }
  ASSERT_TRUE(stream->WritesDone());

  std::map<std::string, inference::ModelStreamInferResponse> by_id;
  inference::ModelStreamInferResponse response;
  while (stream->Read(&response)) by_id[response.infer_response().id()] = response;
  grpc::Status status = stream->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(by_id.size(), static_cast<size_t>(kGood + 2));
  for (int i = 0; i < kGood; ++i) {
    const inference::ModelStreamInferResponse& good = by_id[fmt::format("good-{}", i)];
    EXPECT_TRUE(good.error_message().empty()) << good.error_message();
    ASSERT_EQ(good.infer_response().raw_output_contents_size(), 2);
    const int output0 = good.infer_response().outputs(0).name() == "OUTPUT0" ? 0 : 1;
    EXPECT_EQ(Int32Values(good.infer_response().raw_output_contents(output0)), Iota16(i * 100 + 1));
  }
  EXPECT_THAT(by_id["bad"].error_message(), HasSubstr("INPUT1"));
  EXPECT_THAT(by_id["unknown"].error_message(), HasSubstr("no_such_model"));
}

TEST_F(GrpcServerTest, EmptyStreamEndsCleanly) {
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub_->ModelStreamInfer(context.get());
  ASSERT_TRUE(stream->WritesDone());
  inference::ModelStreamInferResponse response;
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GrpcServerTest, StopEndsAnOpenStreamAfterItsAnswers) {
  GrpcServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  Result<std::unique_ptr<GrpcServer>> own = GrpcServer::Start(server_, options);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  auto stub = GRPCInferenceService::NewStub(grpc::CreateChannel(fmt::format("127.0.0.1:{}", (*own)->port()),
                                                                grpc::InsecureChannelCredentials()));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub->ModelStreamInfer(context.get());
  ASSERT_TRUE(stream->Write(SimpleRequest("before-stop", 0)));
  inference::ModelStreamInferResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.infer_response().id(), "before-stop");

  // The client never half-closes; Stop must not wait for the long grace.
  const auto started = std::chrono::steady_clock::now();
  (*own)->Stop(std::chrono::seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_FALSE(stream->Read(&response));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("shutting down"));
}

TEST(GrpcServerOptionsTest, AddressesAndCompressionLevels) {
  EXPECT_EQ(GrpcListenAddress("0.0.0.0", 8001), "0.0.0.0:8001");
  EXPECT_EQ(GrpcListenAddress("::", 8001), "[::]:8001");
  EXPECT_EQ(GrpcListenAddress("[::1]", 1), "[::1]:1");
  EXPECT_EQ(*ParseCompressionLevel("none"), GRPC_COMPRESS_LEVEL_NONE);
  EXPECT_EQ(*ParseCompressionLevel("low"), GRPC_COMPRESS_LEVEL_LOW);
  EXPECT_EQ(*ParseCompressionLevel("medium"), GRPC_COMPRESS_LEVEL_MED);
  EXPECT_EQ(*ParseCompressionLevel("high"), GRPC_COMPRESS_LEVEL_HIGH);
  EXPECT_FALSE(ParseCompressionLevel("max").ok());
}

TEST(GrpcServerStartTest, BusyPortIsAClearError) {
  GrpcServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  Result<std::unique_ptr<GrpcServer>> first = GrpcServer::Start(nullptr, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  options.port = static_cast<uint16_t>((*first)->port());
  Result<std::unique_ptr<GrpcServer>> second = GrpcServer::Start(nullptr, options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(fmt::format("127.0.0.1:{}", options.port)));
}

}  // namespace
}  // namespace inferd::grpc_frontend
