#include "core/model.h"

#include <cstring>
#include <future>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inferd {
namespace {

using ::testing::ElementsAre;

// Echoes its first input; records the settings of every instance it makes.
class RecordingBackend : public Backend {
 public:
  class Instance : public BackendInstance {
   public:
    Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>&,
                                        ExecutionRequests, ExecutionTimings*) override {
      Tensor out = inputs.at(0);
      out.name = "OUT";
      return std::vector<Tensor>{out};
    }
  };

  std::string Name() const override { return "recording"; }
  std::string DefaultModelFilename() const override { return "model.rec"; }
  Result<ModelFileInfo> DescribeModel(const std::string&) override { return Status::Unimplemented("no"); }
  Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string&, const inference::ModelConfig&,
                                                          const InstanceSettings& settings) override {
    std::lock_guard lock(mutex);
    created.push_back(settings);
    if (settings.name == fail_name) return Status::Unavailable("no such device");
    return std::unique_ptr<BackendInstance>(std::make_unique<Instance>());
  }

  std::mutex mutex;
  std::vector<InstanceSettings> created;
  std::string fail_name;
};

std::vector<std::string> Names(const std::vector<InstanceSettings>& settings) {
  std::vector<std::string> names;
  for (const auto& s : settings) names.push_back(s.name);
  return names;
}

ModelLoadSpec Spec(RecordingBackend* backend, inference::ModelConfig config) {
  ModelLoadSpec spec;
  spec.config = std::make_shared<const inference::ModelConfig>(std::move(config));
  spec.version = 3;
  spec.backend = backend;
  spec.intra_op_threads = 2;
  return spec;
}

inference::ModelConfig TwoGroups() {
  inference::ModelConfig config;
  config.set_name("m");
  auto* cpu = config.add_instance_group();
  cpu->set_name("cpu");
  cpu->set_count(2);
  cpu->set_kind(inference::ModelInstanceGroup::KIND_CPU);
  auto* gpu = config.add_instance_group();
  gpu->set_name("gpu");
  gpu->set_count(2);
  gpu->set_kind(inference::ModelInstanceGroup::KIND_GPU);
  gpu->add_gpus(0);
  gpu->add_gpus(1);
  return config;
}

TEST(ModelTest, EveryGroupGetsCountInstancesPerDeviceWithItsName) {
  RecordingBackend backend;
  Result<std::unique_ptr<Model>> model = Model::Load(Spec(&backend, TwoGroups()));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_THAT(Names(backend.created), ElementsAre("cpu_0", "cpu_1", "gpu_0", "gpu_1", "gpu_2", "gpu_3"));
  EXPECT_FALSE(backend.created[0].gpu);
  EXPECT_TRUE(backend.created[2].gpu);
  EXPECT_EQ(backend.created[2].device_id, 0);
  EXPECT_EQ(backend.created[3].device_id, 0);
  EXPECT_EQ(backend.created[4].device_id, 1);
  for (const auto& settings : backend.created) EXPECT_EQ(settings.intra_op_threads, 2);
}

TEST(ModelTest, AFailingInstanceFailsTheLoadNamingIt) {
  RecordingBackend backend;
  backend.fail_name = "gpu_1";
  Result<std::unique_ptr<Model>> model = Model::Load(Spec(&backend, TwoGroups()));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(), "instance 'gpu_1': no such device");
}

TEST(ModelTest, DynamicBatchingConfigGetsTheBatcher) {
  RecordingBackend backend;
  inference::ModelConfig config;
  config.set_name("m");
  config.set_max_batch_size(4);
  config.mutable_dynamic_batching()->mutable_default_queue_policy()->set_max_queue_size(1);
  config.mutable_dynamic_batching()->set_max_queue_delay_microseconds(5'000'000);
  config.mutable_dynamic_batching()->add_preferred_batch_size(4);
  config.add_instance_group()->set_count(1);
  Result<std::unique_ptr<Model>> model = Model::Load(Spec(&backend, config));
  ASSERT_TRUE(model.ok()) << model.status().ToString();

  // The first job waits for the batch delay; a second finds the queue full,
  // which only the dynamic batcher enforces.
  std::promise<Result<InferenceResponse>> first, second;
  for (auto* promise : {&first, &second}) {
    auto job = std::make_unique<InferJob>();
    job->request.inputs.push_back(Tensor::FromBuffer("IN", DataType::kInt32, {1, 1}, std::string(4, '\0')));
    job->done = [promise](Result<InferenceResponse> result) { promise->set_value(std::move(result)); };
    (*model)->Enqueue(std::move(job));
  }
  Result<InferenceResponse> refused = second.get_future().get();
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("Exceeds maximum queue size"));
  model->reset();  // destroying the model stops its batcher, which runs the waiting job at once
  EXPECT_TRUE(first.get_future().get().ok());
}

}  // namespace
}  // namespace inferd
