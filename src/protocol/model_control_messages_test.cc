#include "protocol/model_control_messages.h"

#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

TEST(ModelControlMessagesTest, HttpLoadWithConfigAndFiles) {
  // "b25ueA==" is base64 for "onnx".
  Result<ModelLoadRequest> request = ParseHttpLoadRequest(
      "m", R"({"parameters": {"config": "{\"max_batch_size\": 4}", "file:1/model.onnx": "b25ueA=="}})");
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_EQ(request->name, "m");
  ASSERT_TRUE(request->config.has_value());
  EXPECT_EQ(*request->config, R"({"max_batch_size": 4})");
  ASSERT_EQ(request->files.size(), 1u);
  EXPECT_EQ(request->files[0].first, "1/model.onnx");
  EXPECT_EQ(request->files[0].second, "onnx");
}

TEST(ModelControlMessagesTest, HttpLoadEmptyBodies) {
  for (const char* body : {"", "  ", "{}", R"({"parameters": {}})"}) {
    Result<ModelLoadRequest> request = ParseHttpLoadRequest("m", body);
    ASSERT_TRUE(request.ok()) << body;
    EXPECT_FALSE(request->config.has_value()) << body;
    EXPECT_TRUE(request->files.empty()) << body;
  }
}

TEST(ModelControlMessagesTest, HttpLoadRefusesWhatTritonRefuses) {
  struct Case {
    const char* body;
    const char* expected;
  };
  for (const Case& bad : {Case{"{", "malformed JSON"}, Case{"[]", "JSON object"},
                          Case{R"({"parameters": 3})", "\"parameters\" must be"},
                          Case{R"({"parameters": {"config": {"max_batch_size": 4}}})", "must be a JSON string"},
                          Case{R"({"parameters": {"file:1/model.onnx": "not base64!"}})", "not valid base64"},
                          Case{R"({"parameters": {"colour": "red"}})", "unrecognized load parameter 'colour'"}}) {
    Result<ModelLoadRequest> request = ParseHttpLoadRequest("m", bad.body);
    ASSERT_FALSE(request.ok()) << bad.body;
    EXPECT_EQ(request.status().code(), StatusCode::kInvalidArgument) << bad.body;
    EXPECT_NE(request.status().message().find(bad.expected), std::string::npos) << request.status().message();
  }
}

TEST(ModelControlMessagesTest, HttpUnloadDependents) {
  EXPECT_FALSE(*ParseHttpUnloadDependents(""));
  EXPECT_FALSE(*ParseHttpUnloadDependents(R"({"parameters": {"unload_dependents": false}})"));
  EXPECT_TRUE(*ParseHttpUnloadDependents(R"({"parameters": {"unload_dependents": true}})"));
  EXPECT_FALSE(ParseHttpUnloadDependents(R"({"parameters": {"unload_dependents": "yes"}})").ok());
}

TEST(ModelControlMessagesTest, GrpcParameterTypes) {
  inference::RepositoryModelLoadRequest load;
  load.set_model_name("m");
  (*load.mutable_parameters())["config"].set_string_param("{}");
  (*load.mutable_parameters())["file:1/model.onnx"].set_bytes_param(std::string("\0\1", 2));
  Result<ModelLoadRequest> request = ReadGrpcLoadRequest(load);
  ASSERT_TRUE(request.ok()) << request.status().message();
  ASSERT_EQ(request->files.size(), 1u);
  EXPECT_EQ(request->files[0].second, std::string("\0\1", 2));

  (*load.mutable_parameters())["config"].set_bool_param(true);
  EXPECT_NE(ReadGrpcLoadRequest(load).status().message().find("expected string_param"), std::string::npos);

  inference::RepositoryModelUnloadRequest unload;
  EXPECT_FALSE(*ReadGrpcUnloadDependents(unload));
  (*unload.mutable_parameters())["unload_dependents"].set_bool_param(true);
  EXPECT_TRUE(*ReadGrpcUnloadDependents(unload));
  (*unload.mutable_parameters())["unload_dependents"].set_string_param("true");
  EXPECT_FALSE(ReadGrpcUnloadDependents(unload).ok());
}

}  // namespace
}  // namespace inferd::protocol
