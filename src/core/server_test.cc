// Server, registry and loader through the facade, on an in-memory model
// repository (FakeFileSystem) and an in-process backend (TestBackend): what
// a frontend sees when models load, fail, serve and unload under load.
#include "core/server.h"

#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_backend_for_test.h"
#include "repository/fake_filesystem_for_test.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// An echo model for TestBackend; `extra` is appended to the config.
std::string EchoConfig(const std::string& name, const std::string& extra = "") {
  return fmt::format(R"pb(
    name: "{}"
    backend: "test"
    max_batch_size: 8
    input [ {{ name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] }} ]
    output [ {{ name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] }} ]
    instance_group [ {{ count: 1 kind: KIND_CPU }} ]
    {}
  )pb",
                     name, extra);
}

InferenceRequest EchoRequest(const std::string& model, int32_t first) {
  InferenceRequest request;
  request.model_name = model;
  std::string data(16, '\0');
  std::memcpy(data.data(), &first, 4);
  request.inputs.push_back(Tensor::FromBuffer("INPUT0", DataType::kInt32, {1, 4}, std::move(data)));
  return request;
}

int32_t FirstValue(const InferenceResponse& response) {
  int32_t value = 0;
  std::memcpy(&value, response.outputs.at(0).data, 4);
  return value;
}

class ServerTest : public ::testing::Test {
 protected:
  void AddModel(const std::string& name, const std::string& config, std::vector<int> versions = {1}) {
    files_.AddFile("/models/" + name + "/config.pbtxt", config);
    for (int version : versions) files_.AddFile(fmt::format("/models/{}/{}/model.test", name, version), "weights");
  }

  std::unique_ptr<Server> Start(ServerOptions::ModelControlMode mode = ServerOptions::ModelControlMode::kExplicit) {
    ServerOptions options;
    options.model_control_mode = mode;
    options.repository_poll_interval = std::chrono::milliseconds(5);
    options.startup_models = {"*"};
    options.model_repositories = {"/models"};
    options.backend_directory = "/no/backend/libraries";
    ServerEnvironment environment;
    environment.filesystem = &files_;
    environment.backends["test"] = &backend_;
    Result<std::unique_ptr<Server>> server = Server::Create(options, environment);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(server).value() : nullptr;
  }

  static Status Load(Server& server, ModelLoadRequest request) {
    std::promise<Status> done;
    server.LoadModel(std::move(request), [&done](Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

  static Status Unload(Server& server, const std::string& model) {
    std::promise<Status> done;
    server.UnloadModel(model, false, [&done](Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

  std::future<Result<InferenceResponse>> Submit(Server& server, const std::string& model, int32_t first) {
    auto promise = std::make_shared<std::promise<Result<InferenceResponse>>>();
    std::future<Result<InferenceResponse>> answer = promise->get_future();
    server.Infer(EchoRequest(model, first),
                 [promise](Result<InferenceResponse> result) { promise->set_value(std::move(result)); });
    return answer;
  }

  // The index row of `name` version `version`.
  static std::optional<ModelIndexEntry> IndexRow(const Server& server, const std::string& name,
                                                 const std::string& version) {
    for (const ModelIndexEntry& entry : server.RepositoryIndex(false)) {
      if (entry.name == name && entry.version == version) return entry;
    }
    return std::nullopt;
  }

  // Waits (at most 10 s) until the version's index row has `state`.
  // Waits (bounded) until the index row of `version` satisfies `wanted`.
  static bool AwaitRow(const Server& server, const std::string& name, const std::string& version,
                       const std::function<bool(const ModelIndexEntry&)>& wanted) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<ModelIndexEntry> row = IndexRow(server, name, version);
      if (row && wanted(*row)) return true;
      std::this_thread::yield();
    }
    return false;
  }

  static bool AwaitState(const Server& server, const std::string& name, const std::string& state,
                         const std::string& version = "1") {
    return AwaitRow(server, name, version, [&](const ModelIndexEntry& row) { return row.state == state; });
  }

  // Unloads version 1 of `model` while one of `count` requests runs (held
  // at the backend) and the rest are queued; every one must succeed and the
  // version must be freed afterwards.
  void UnloadUnderLoad(Server& server, const std::string& model, int count) {
    backend_.gate.Close();
    std::vector<std::future<Result<InferenceResponse>>> answers;
    for (int i = 0; i < count; ++i) answers.push_back(Submit(server, model, i));
    ASSERT_TRUE(backend_.gate.AwaitHeld(1));
    ASSERT_EQ(backend_.live_instances.load(), 1);

    ASSERT_TRUE(Unload(server, model).ok());
    // No new request finds it; the accepted ones still hold it.
    Result<InferenceResponse> refused = Submit(server, model, 99).get();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(refused.status().message(), HasSubstr("has no available versions"));
    EXPECT_EQ(IndexRow(server, model, "1")->state, "UNLOADING");
    EXPECT_EQ(backend_.live_instances.load(), 1);
    for (auto& answer : answers) EXPECT_EQ(answer.wait_for(0s), std::future_status::timeout);

    backend_.gate.Open();
    for (int i = 0; i < count; ++i) {
      Result<InferenceResponse> result = answers[i].get();
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      EXPECT_EQ(FirstValue(*result), i);
    }
    ASSERT_TRUE(AwaitState(server, model, "UNAVAILABLE"));
    EXPECT_EQ(IndexRow(server, model, "1")->reason, "unloaded");
    EXPECT_EQ(backend_.live_instances.load(), 0);  // the version's memory is gone
  }

  repository::FakeFileSystem files_;
  TestBackend backend_;
};

TEST_F(ServerTest, ServesTheModelsOfTheRepositoryItIsGivenAndListsTheBrokenOnesWithTheirReason) {
  AddModel("echo", EchoConfig("echo"));
  AddModel("broken", "name: \"broken\" this is not a config");
  auto server = Start();
  ASSERT_NE(server, nullptr);
  EXPECT_FALSE(server->IsReady());  // strict readiness: one model failed
  EXPECT_EQ(IndexRow(*server, "echo", "1")->state, "READY");
  std::optional<ModelIndexEntry> broken = IndexRow(*server, "broken", "");
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->state, "UNAVAILABLE");
  EXPECT_THAT(broken->reason, HasSubstr("config.pbtxt"));

  Result<InferenceResponse> answer = Submit(*server, "echo", 7).get();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(FirstValue(*answer), 7);
  EXPECT_EQ(files_.Reads("/models/echo/config.pbtxt"), 1);
}

TEST_F(ServerTest, AConfigWithoutTensorsIsCompletedFromTheModelFile) {
  AddModel("bare", "name: \"bare\" backend: \"test\" max_batch_size: 4");
  auto server = Start();
  ASSERT_NE(server, nullptr);
  Result<ModelMetadata> metadata = server->GetModelMetadata("bare", kLatestVersion);
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  ASSERT_EQ(metadata->inputs.size(), 1u);
  EXPECT_EQ(metadata->inputs[0].name, "INPUT0");
  EXPECT_EQ(metadata->inputs[0].shape, (Shape{-1, 4}));
  EXPECT_EQ(backend_.descriptions.load(), 1);
}

TEST_F(ServerTest, TheVersionPolicyPicksTheVersionsThatLoad) {
  AddModel("echo", EchoConfig("echo"), {1, 2, 3});
  AddModel("pinned", EchoConfig("pinned", "version_policy { specific { versions: [ 1, 3 ] } }"), {1, 2, 3});
  auto server = Start();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->GetModelMetadata("echo", kLatestVersion)->versions, (std::vector<std::string>{"3"}));
  EXPECT_EQ(server->GetModelMetadata("pinned", kLatestVersion)->versions, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(backend_.live_instances.load(), 3);
}

TEST_F(ServerTest, ALabelFileOutsideTheModelFolderMakesTheModelUnavailable) {
  files_.AddFile("/secret.txt", "root:x:0:0\n");
  AddModel("labels", R"pb(
    name: "labels" backend: "test" max_batch_size: 8
    input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]
    output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] label_filename: "../../secret.txt" } ]
  )pb");
  auto server = Start();
  ASSERT_NE(server, nullptr);
  std::optional<ModelIndexEntry> row = IndexRow(*server, "labels", "");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->state, "UNAVAILABLE");
  EXPECT_THAT(row->reason, HasSubstr("lies outside the model folder"));
  EXPECT_EQ(files_.Reads("/secret.txt"), 0);
}

TEST_F(ServerTest, UnloadWhileRequestsRunAndWaitFailsNoneAndFreesTheVersion) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  UnloadUnderLoad(*server, "echo", 6);
}

TEST_F(ServerTest, UnloadWhileTheDynamicBatcherHoldsRequestsFailsNoneAndFreesTheVersion) {
  AddModel("batched", EchoConfig("batched", "dynamic_batching { max_queue_delay_microseconds: 100 }"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  UnloadUnderLoad(*server, "batched", 12);
}

TEST_F(ServerTest, ReloadServesTheNewVersionBeforeTheOldOneStops) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  backend_.gate.Close();
  std::future<Result<InferenceResponse>> held = Submit(*server, "echo", 7);
  ASSERT_TRUE(backend_.gate.AwaitHeld(1));

  // Version 2 appears; the reload publishes it while version 1 still runs a request.
  files_.AddFile("/models/echo/2/model.test", "weights");
  ASSERT_TRUE(Load(*server, ModelLoadRequest{"echo", std::nullopt, {}}).ok());
  EXPECT_EQ(IndexRow(*server, "echo", "2")->state, "READY");
  EXPECT_EQ(IndexRow(*server, "echo", "1")->state, "UNLOADING");
  EXPECT_EQ(backend_.live_instances.load(), 2);  // both versions exist at this moment
  EXPECT_EQ(held.wait_for(0s), std::future_status::timeout);

  backend_.gate.Open();
  Result<InferenceResponse> answered = held.get();
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->model_version, 1);  // accepted by version 1, finished by it
  Result<InferenceResponse> next = Submit(*server, "echo", 8).get();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->model_version, 2);
  ASSERT_TRUE(AwaitState(*server, "echo", "UNAVAILABLE"));
  EXPECT_EQ(backend_.live_instances.load(), 1);
}

TEST_F(ServerTest, ThePollerSwapsVersionsWhileRequestsRun) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start(ServerOptions::ModelControlMode::kPoll);
  ASSERT_NE(server, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread traffic([&] {
    for (int i = 0; !stop; ++i) {
      if (!Submit(*server, "echo", i).get().ok()) ++failures;
    }
  });
  for (int version = 2; version <= 4; ++version) {
    files_.AddFile(fmt::format("/models/echo/{}/model.test", version), "weights");
    ASSERT_TRUE(AwaitState(*server, "echo", "READY", std::to_string(version)));
  }
  files_.AddFile("/models/echo/config.pbtxt", EchoConfig("echo", "this is not a field"));
  // The poller tries the broken update (the row's reason says so) and changes nothing else.
  ASSERT_TRUE(AwaitRow(*server, "echo", "4", [](const ModelIndexEntry& row) {
    return row.reason.find("keeps serving") != std::string::npos;
  }));
  EXPECT_EQ(IndexRow(*server, "echo", "4")->state, "READY");
  stop = true;
  traffic.join();
  EXPECT_EQ(failures.load(), 0);
  files_.Remove("/models/echo");
  ASSERT_TRUE(AwaitState(*server, "echo", "UNAVAILABLE", "4"));
  EXPECT_EQ(IndexRow(*server, "echo", "4")->reason, "removed from the model repository");
}

TEST_F(ServerTest, FailedReloadLeavesTheLoadedVersionServing) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  // A config no model can have (a negative max_batch_size) fails the reload.
  Status failed = Load(*server, ModelLoadRequest{"echo", R"({"backend": "test", "max_batch_size": -3})", {}});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("load failed for model 'echo'"));
  EXPECT_EQ(IndexRow(*server, "echo", "1")->state, "READY");
  EXPECT_THAT(IndexRow(*server, "echo", "1")->reason, HasSubstr("keeps serving"));
  Result<InferenceResponse> answered = Submit(*server, "echo", 3).get();
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(FirstValue(*answered), 3);
}

TEST_F(ServerTest, UnloadingTwiceOrAnUnknownModelIsNotAnError) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  // Triton answers OK: there is nothing to unload.
  EXPECT_TRUE(Unload(*server, "nope").ok());
  ASSERT_TRUE(Unload(*server, "echo").ok());
  ASSERT_TRUE(AwaitState(*server, "echo", "UNAVAILABLE"));
  EXPECT_TRUE(Unload(*server, "echo").ok());
  EXPECT_EQ(IndexRow(*server, "echo", "1")->reason, "unloaded");
  // An unloaded model does not make the server unready (Triton's strict readiness).
  EXPECT_TRUE(server->IsReady());
}

TEST_F(ServerTest, NoneModeRefusesModelControlInTritonsWords) {
  AddModel("echo", EchoConfig("echo"));
  auto server = Start(ServerOptions::ModelControlMode::kNone);
  ASSERT_NE(server, nullptr);
  Status refused = Unload(*server, "echo");
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("explicit model load / unload is not allowed if polling is enabled"));
  EXPECT_TRUE(server->ModelReady("echo", kLatestVersion).ok());
}

TEST_F(ServerTest, StopLetsAcceptedRequestsFinishThenFreesEveryModel) {
  AddModel("echo", EchoConfig("echo"));
  AddModel("other", EchoConfig("other"));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  backend_.gate.Close();
  std::vector<std::future<Result<InferenceResponse>>> accepted;
  for (int i = 0; i < 3; ++i) accepted.push_back(Submit(*server, "echo", i));
  ASSERT_TRUE(backend_.gate.AwaitHeld(1));
  std::thread stopper([&] { server->Stop(); });
  // Stop has begun once a request is refused at once; those accepted before
  // that are still held.
  std::optional<Result<InferenceResponse>> refused;
  for (int attempt = 0; attempt < 1'000'000 && !refused; ++attempt) {
    std::future<Result<InferenceResponse>> answer = Submit(*server, "other", 100);
    if (answer.wait_for(0s) == std::future_status::ready) {
      Result<InferenceResponse> result = answer.get();
      if (!result.ok()) refused = std::move(result);
    } else {
      accepted.push_back(std::move(answer));
    }
  }
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status().code(), StatusCode::kUnavailable);
  for (auto& answer : accepted) EXPECT_EQ(answer.wait_for(0s), std::future_status::timeout);
  backend_.gate.Open();
  stopper.join();
  for (auto& answer : accepted) EXPECT_TRUE(answer.get().ok());
  EXPECT_EQ(backend_.live_instances.load(), 0);
}

}  // namespace
}  // namespace inferd
