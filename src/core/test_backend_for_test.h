// TestBackend: an in-process backend for the core's unit tests (Server,
// registry, loader). Its instances echo input "INPUT0" as "OUTPUT0"; a test
// can hold their executions at `gate` and count the instances alive, which
// tells when a model version has really been freed.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "backends/sdk/backend.h"
#include "common/gate_for_test.h"

namespace inferd {

class TestBackend final : public Backend {
 public:
  class Instance final : public BackendInstance {
   public:
    explicit Instance(TestBackend* backend) : backend_(backend) { ++backend_->live_instances; }
    ~Instance() override { --backend_->live_instances; }

    Result<std::vector<Tensor>> Execute(const std::vector<Tensor>& inputs, const std::vector<std::string>&,
                                        ExecutionRequests, ExecutionTimings*) override {
      ++backend_->executions;
      backend_->gate.Pass();
      Tensor out = Tensor::FromBuffer("OUTPUT0", inputs.at(0).datatype, inputs.at(0).shape,
                                      std::string(inputs.at(0).data, inputs.at(0).byte_size));
      return std::vector<Tensor>{std::move(out)};
    }

   private:
    TestBackend* backend_;
  };

  std::string Name() const override { return "test"; }
  std::string DefaultModelFilename() const override { return "model.test"; }
  // What a config without inputs and outputs is completed with.
  Result<ModelFileInfo> DescribeModel(const std::string&) override {
    ++descriptions;
    return ModelFileInfo{{{"INPUT0", DataType::kInt32, {-1, 4}}}, {{"OUTPUT0", DataType::kInt32, {-1, 4}}}};
  }
  Result<std::unique_ptr<BackendInstance>> CreateInstance(const std::string&, const inference::ModelConfig&,
                                                          const InstanceSettings&) override {
    return std::unique_ptr<BackendInstance>(std::make_unique<Instance>(this));
  }

  Gate gate;  // open unless a test closes it
  std::atomic<int> live_instances{0};
  std::atomic<int> executions{0};
  std::atomic<int> descriptions{0};
};

}  // namespace inferd
