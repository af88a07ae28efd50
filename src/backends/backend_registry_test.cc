#include "backends/backend_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace inferd {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / fs::path("inferd_registry_test_" + std::to_string(::getpid()) + "_" +
                                                 std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(BackendRegistryTest, MissingLibraryDirIsUnavailableWithReason) {
  BackendRegistry registry("/nonexistent/inferd/backends");
  Result<Backend*> backend = registry.Get("pytorch");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(backend.status().message(),
            "backend 'pytorch' is not available: 'libinferd_pytorch.so' not found in /nonexistent/inferd/backends");
}

TEST(BackendRegistryTest, FailureIsCachedAndReportedTheSameWay) {
  TempDir dir;
  BackendRegistry registry(dir.path().string());
  Result<Backend*> first = registry.Get("onnxruntime");
  ASSERT_FALSE(first.ok());
  // The library appearing later does not matter: the failure was cached.
  std::ofstream(dir.path() / "libinferd_onnxruntime.so") << "not an ELF file";
  Result<Backend*> second = registry.Get("onnxruntime");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), first.status().message());
}

TEST(BackendRegistryTest, UnloadableLibraryReportsDlerror) {
  TempDir dir;
  std::ofstream(dir.path() / "libinferd_broken.so") << "not an ELF file";
  BackendRegistry registry(dir.path().string());
  Result<Backend*> backend = registry.Get("broken");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(backend.status().message().find("backend 'broken' is not available: "), std::string::npos);
  EXPECT_NE(backend.status().message().find("libinferd_broken.so"), std::string::npos)
      << backend.status().message();
}

TEST(BackendRegistryTest, LoadsLibraryOnceAndCachesTheBackend) {
  BackendRegistry registry(INFERD_FAKE_BACKEND_DIR);
  Result<Backend*> first = registry.Get("fake");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)->Name(), "fake");
  EXPECT_EQ((*first)->DefaultModelFilename(), "model.fake");
  Result<Backend*> second = registry.Get("fake");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(BackendRegistryTest, LibraryWithoutEntryPointIsUnavailable) {
  BackendRegistry registry(INFERD_FAKE_BACKEND_DIR);
  Result<Backend*> backend = registry.Get("noentry");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(backend.status().message().find("does not export InferdBackendInterfaceVersion"), std::string::npos)
      << backend.status().message();
}

TEST(BackendRegistryTest, LibraryBuiltForAnotherInterfaceVersionIsRefused) {
  BackendRegistry registry(INFERD_FAKE_BACKEND_DIR);
  Result<Backend*> backend = registry.Get("oldversion");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(backend.status().message(),
            fmt::format("backend 'oldversion' is not available: {}/libinferd_oldversion.so was built for backend "
                        "interface version 1, this server has version {}; rebuild the backend against this "
                        "server's backends/sdk",
                        INFERD_FAKE_BACKEND_DIR, kBackendInterfaceVersion));
  // The refusal is remembered like any other load failure.
  EXPECT_EQ(registry.Get("oldversion").status().message(), backend.status().message());
}

TEST(BackendRegistryTest, RejectsNamesThatAreNotPlainIdentifiers) {
  BackendRegistry registry(INFERD_FAKE_BACKEND_DIR);
  for (const std::string name : {"", "../fake", "fake/x", "a.b"}) {
    Result<Backend*> backend = registry.Get(name);
    ASSERT_FALSE(backend.ok()) << name;
    EXPECT_EQ(backend.status().code(), StatusCode::kInvalidArgument) << name;
  }
}

TEST(BackendRegistryTest, BackendNameForConfig) {
  struct Case {
    std::string backend, platform, expected;
  };
  const Case cases[] = {
      {"onnxruntime", "", "onnxruntime"},
      {"python", "onnxruntime_onnx", "python"},  // backend wins over platform
      {"", "onnxruntime_onnx", "onnxruntime"},
      {"", "pytorch_libtorch", "pytorch"},
      {"", "tensorflow_savedmodel", "tensorflow"},
      {"", "tensorflow_graphdef", "tensorflow"},
      {"", "tensorrt_plan", "tensorrt"},
      {"", "ensemble", ""},
      {"", "", ""},
      {"", "caffe2_netdef", "caffe2_netdef"},
  };
  for (const Case& c : cases) {
    inference::ModelConfig config;
    config.set_backend(c.backend);
    config.set_platform(c.platform);
    EXPECT_EQ(BackendRegistry::BackendNameForConfig(config), c.expected)
        << "backend '" << c.backend << "' platform '" << c.platform << "'";
  }
}

}  // namespace
}  // namespace inferd
