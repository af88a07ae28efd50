#include "protocol/grpc_messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

using ::testing::HasSubstr;

TEST(GrpcMessagesTest, ParametersRoundTrip) {
  Parameters parameters{{"b", true}, {"i", int64_t{-3}}, {"d", 2.5}, {"s", std::string("text")}};
  GrpcParameterMap map;
  WriteGrpcParameters(parameters, &map);
  EXPECT_TRUE(map.at("b").bool_param());
  EXPECT_EQ(map.at("i").int64_param(), -3);
  EXPECT_EQ(map.at("d").double_param(), 2.5);
  EXPECT_EQ(map.at("s").string_param(), "text");
  Parameters back;
  ASSERT_TRUE(ReadGrpcParameters(map, "m", "the request", &back).ok());
  EXPECT_EQ(back, parameters);
}

TEST(GrpcMessagesTest, Uint64BeyondInt64IsRejected) {
  GrpcParameterMap map;
  map["priority"].set_uint64_param(uint64_t{1} << 63);
  Parameters parameters;
  Status status = ReadGrpcParameters(map, "m", "the request", &parameters);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("model 'm': parameter \"priority\" of the request is 9223372036854775808"));
}

TEST(GrpcMessagesTest, MetadataAndIndex) {
  inference::ServerMetadataResponse server;
  FillServerMetadata("inferd", "0.1.0", {"a", "b"}, &server);
  EXPECT_EQ(server.name(), "inferd");
  EXPECT_EQ(server.version(), "0.1.0");
  ASSERT_EQ(server.extensions_size(), 2);
  EXPECT_EQ(server.extensions(1), "b");

  ModelMetadata metadata{"simple", {"1", "2"}, "onnxruntime_onnx", {{"INPUT0", "INT32", {-1, 16}}}, {}};
  inference::ModelMetadataResponse model;
  FillModelMetadata(metadata, &model);
  EXPECT_EQ(model.name(), "simple");
  EXPECT_EQ(model.versions_size(), 2);
  EXPECT_EQ(model.platform(), "onnxruntime_onnx");
  ASSERT_EQ(model.inputs_size(), 1);
  EXPECT_EQ(model.inputs(0).datatype(), "INT32");
  EXPECT_EQ(model.inputs(0).shape(0), -1);
  EXPECT_EQ(model.inputs(0).shape(1), 16);
  EXPECT_EQ(model.outputs_size(), 0);

  inference::RepositoryIndexResponse index;
  FillRepositoryIndex({{"a", "1", "READY", ""}, {"b", "", "UNAVAILABLE", "bad file"}}, &index);
  ASSERT_EQ(index.models_size(), 2);
  EXPECT_EQ(index.models(0).state(), "READY");
  EXPECT_EQ(index.models(1).reason(), "bad file");
}

TEST(GrpcMessagesTest, StatisticsCarryEveryDurationAndBatchStats) {
  ModelStatisticsSnapshot stat;
  stat.name = "simple";
  stat.version = 1;
  stat.last_inference_ms = 1700000000000;
  stat.inference_count = 12;
  stat.execution_count = 5;
  stat.success = {5, 500};
  stat.fail = {1, 10};
  stat.queue = {5, 50};
  stat.compute_infer = {5, 300};
  stat.batch_stats.push_back({2, {3, 30}, {3, 300}, {3, 3}});
  inference::ModelStatisticsResponse response;
  FillModelStatistics({stat}, &response);
  ASSERT_EQ(response.model_stats_size(), 1);
  const inference::ModelStatistics& model = response.model_stats(0);
  EXPECT_EQ(model.name(), "simple");
  EXPECT_EQ(model.version(), "1");
  EXPECT_EQ(model.last_inference(), 1700000000000u);
  EXPECT_EQ(model.inference_count(), 12u);
  EXPECT_EQ(model.execution_count(), 5u);
  EXPECT_EQ(model.inference_stats().success().ns(), 500u);
  EXPECT_EQ(model.inference_stats().fail().count(), 1u);
  EXPECT_EQ(model.inference_stats().queue().ns(), 50u);
  EXPECT_EQ(model.inference_stats().compute_infer().count(), 5u);
  ASSERT_EQ(model.batch_stats_size(), 1);
  EXPECT_EQ(model.batch_stats(0).batch_size(), 2u);
  EXPECT_EQ(model.batch_stats(0).compute_infer().ns(), 300u);
}

}  // namespace
}  // namespace inferd::protocol
