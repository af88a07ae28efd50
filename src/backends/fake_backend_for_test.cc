// A backend library that does nothing, for backend_registry_test: it proves
// the registry loads a module, calls its entry point and caches the result.
// Built three times: as a current module, without entry points, and as a
// module built against an older interface version.
#include "backends/sdk/backend.h"

namespace {

class FakeBackend final : public inferd::Backend {
 public:
  std::string Name() const override { return "fake"; }
  std::string DefaultModelFilename() const override { return "model.fake"; }
  inferd::Result<inferd::ModelFileInfo> DescribeModel(const std::string& model_path) override {
    return inferd::Status::Unimplemented("fake backend describes nothing");
  }
  inferd::Result<std::unique_ptr<inferd::BackendInstance>> CreateInstance(const std::string&,
                                                                          const inference::ModelConfig&,
                                                                          const inferd::InstanceSettings&) override {
    return inferd::Status::Unimplemented("fake backend runs nothing");
  }
};

}  // namespace

#if defined(INFERD_FAKE_BACKEND_INTERFACE_VERSION)
extern "C" uint32_t InferdBackendInterfaceVersion() { return INFERD_FAKE_BACKEND_INTERFACE_VERSION; }
extern "C" inferd::Backend* InferdCreateBackend() { return new FakeBackend(); }
#elif !defined(INFERD_FAKE_BACKEND_WITHOUT_ENTRY_POINT)
INFERD_BACKEND(FakeBackend)
#endif
