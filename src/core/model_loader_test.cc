// ModelLoader on an in-memory repository (FakeFileSystem) with an in-process
// backend: what a plan holds for a model folder, and what loading makes.
#include "core/model_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_backend_for_test.h"
#include "repository/fake_filesystem_for_test.h"

namespace inferd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kEcho = R"pb(
  name: "echo" backend: "test" max_batch_size: 8
  input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]
  output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]
)pb";

class ModelLoaderTest : public ::testing::Test {
 protected:
  ModelLoaderTest() : backends_("/no/backend/libraries") { backends_.AddInProcess("test", &backend_); }

  ModelPlan Plan(const std::string& name = "echo") {
    ModelLoader loader(options_, &backends_, &files_);
    return loader.Plan(name, "/models/" + name);
  }

  ServerOptions options_;
  repository::FakeFileSystem files_;
  TestBackend backend_;
  BackendRegistry backends_;
};

TEST_F(ModelLoaderTest, PlansTheVersionsThePolicyPicksAndNamesTheMissingOnes) {
  files_.AddFile("/models/echo/config.pbtxt",
                 std::string(kEcho) + "version_policy { specific { versions: [ 1, 5 ] } }");
  files_.AddFile("/models/echo/1/model.test", "");
  files_.AddFile("/models/echo/2/model.test", "");
  ModelPlan plan = Plan();
  ASSERT_TRUE(plan.status.ok()) << plan.status.ToString();
  EXPECT_THAT(plan.versions, ElementsAre(1));
  ASSERT_EQ(plan.missing_versions.size(), 1u);
  EXPECT_EQ(plan.missing_versions[0].first, 5);
  EXPECT_THAT(plan.missing_versions[0].second, HasSubstr("model 'echo'"));
  EXPECT_EQ(plan.backend, &backend_);
}

TEST_F(ModelLoaderTest, ACustomConfigNameWinsWhereItExists) {
  options_.model_config_name = "small";
  files_.AddFile("/models/echo/config.pbtxt", kEcho);
  files_.AddFile("/models/echo/configs/small.pbtxt",
                 std::string(kEcho).replace(std::string(kEcho).find("max_batch_size: 8"), 17, "max_batch_size: 2"));
  files_.AddFile("/models/echo/1/model.test", "");
  ModelPlan plan = Plan();
  ASSERT_TRUE(plan.status.ok()) << plan.status.ToString();
  EXPECT_EQ(plan.config->max_batch_size(), 2);
  EXPECT_EQ(files_.Reads("/models/echo/config.pbtxt"), 0);
}

TEST_F(ModelLoaderTest, AFolderWithoutVersionsOrWithAnUnknownBackendFailsWithTheReason) {
  files_.AddFile("/models/echo/config.pbtxt", kEcho);
  ModelPlan plan = Plan();
  EXPECT_EQ(plan.status.code(), StatusCode::kNotFound);
  EXPECT_THAT(plan.status.message(), HasSubstr("no version folders"));

  files_.AddFile("/models/other/config.pbtxt", "name: \"other\" backend: \"nosuch\"");
  files_.AddFile("/models/other/1/model.x", "");
  plan = Plan("other");
  EXPECT_EQ(plan.status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(plan.status.message(), HasSubstr("backend 'nosuch' is not available"));
}

TEST_F(ModelLoaderTest, WithoutABackendTheFirstVersionFolderDecidesAsInTriton) {
  TestBackend python;
  backends_.AddInProcess("python", &python);
  constexpr const char* kTensorsOnly = R"pb(
    input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]
    output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]
  )pb";
  files_.AddFile("/models/py/config.pbtxt", kTensorsOnly);
  files_.AddFile("/models/py/1/model.py", "");
  ModelPlan plan = Plan("py");
  ASSERT_TRUE(plan.status.ok()) << plan.status.ToString();
  EXPECT_EQ(plan.backend, &python);
  EXPECT_EQ(plan.config->backend(), "python");

  // model.onnx wins over model.py, as in Triton (and there is no ONNX
  // Runtime library here, so the plan fails naming it).
  files_.AddFile("/models/both/config.pbtxt", kTensorsOnly);
  files_.AddFile("/models/both/1/model.py", "");
  files_.AddFile("/models/both/1/model.onnx", "");
  plan = Plan("both");
  EXPECT_FALSE(plan.status.ok());
  EXPECT_THAT(plan.status.message(), HasSubstr("onnxruntime"));
}

TEST_F(ModelLoaderTest, LoadingAVersionMakesOneInstancePerInstanceGroupCount) {
  files_.AddFile("/models/echo/config.pbtxt", std::string(kEcho) + "instance_group [ { count: 3 kind: KIND_CPU } ]");
  files_.AddFile("/models/echo/1/model.test", "");
  ModelLoader loader(options_, &backends_, &files_);
  ModelPlan plan = loader.Plan("echo", "/models/echo");
  ASSERT_TRUE(plan.status.ok()) << plan.status.ToString();
  Result<std::unique_ptr<Model>> model = loader.LoadVersion(plan, 1);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(backend_.live_instances.load(), 3);
  model->reset();
  EXPECT_EQ(backend_.live_instances.load(), 0);
}

TEST_F(ModelLoaderTest, AMissingModelFileFailsThatVersionOnly) {
  files_.AddFile("/models/echo/config.pbtxt", std::string(kEcho) + "version_policy { all {} }");
  files_.AddFile("/models/echo/1/model.test", "");
  files_.AddDirectory("/models/echo/2");
  ModelLoader loader(options_, &backends_, &files_);
  ModelPlan plan = loader.Plan("echo", "/models/echo");
  ASSERT_TRUE(plan.status.ok()) << plan.status.ToString();
  EXPECT_TRUE(loader.LoadVersion(plan, 1).ok());
  Result<std::unique_ptr<Model>> second = loader.LoadVersion(plan, 2);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("model 'echo' version 2"));
  EXPECT_THAT(second.status().message(), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace inferd
