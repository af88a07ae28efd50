#include "frontend/grpc/grpc_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace inferd::grpc_frontend {
namespace {

using ::testing::HasSubstr;

class GrpcCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("inferd_grpc_credentials_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                  "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::filesystem::path path = directory_ / name;
    std::ofstream(path) << contents;
    return path.string();
  }

  std::filesystem::path directory_;
};

TEST_F(GrpcCredentialsTest, PlainTextWithoutTls) {
  Result<std::shared_ptr<grpc::ServerCredentials>> credentials = MakeServerCredentials({});
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_NE(*credentials, nullptr);
}

TEST_F(GrpcCredentialsTest, MissingFilesNameTheFlagAndThePath) {
  GrpcTlsOptions options;
  options.use_ssl = true;
  Result<std::shared_ptr<grpc::ServerCredentials>> no_cert = MakeServerCredentials(options);
  ASSERT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_cert.status().message(), HasSubstr("--grpc-server-cert is required"));

  options.server_cert = (directory_ / "absent.pem").string();
  Result<std::shared_ptr<grpc::ServerCredentials>> absent = MakeServerCredentials(options);
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("--grpc-server-cert: cannot read"));
  EXPECT_THAT(absent.status().message(), HasSubstr("absent.pem"));

  options.server_cert = Write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
  options.server_key = Write("key.pem", "");
  Result<std::shared_ptr<grpc::ServerCredentials>> empty_key = MakeServerCredentials(options);
  ASSERT_FALSE(empty_key.ok());
  EXPECT_THAT(empty_key.status().message(), HasSubstr("--grpc-server-key"));
  EXPECT_THAT(empty_key.status().message(), HasSubstr("is empty"));
}

TEST_F(GrpcCredentialsTest, MutualTlsNeedsTheRootCertificate) {
  GrpcTlsOptions options;
  options.use_ssl_mutual = true;
  options.server_cert = Write("cert.pem", "cert");
  options.server_key = Write("key.pem", "key");
  Result<std::shared_ptr<grpc::ServerCredentials>> credentials = MakeServerCredentials(options);
  ASSERT_FALSE(credentials.ok());
  EXPECT_THAT(credentials.status().message(), HasSubstr("--grpc-root-cert is required"));

  options.root_cert = Write("root.pem", "root");
  EXPECT_TRUE(MakeServerCredentials(options).ok());
}

}  // namespace
}  // namespace inferd::grpc_frontend
