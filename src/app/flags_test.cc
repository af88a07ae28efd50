#include "app/flags.h"

#include <gtest/gtest.h>

namespace inferd::app {
namespace {

Flags MustParse(std::vector<std::string> args) {
  Result<ParsedFlags> parsed = ParseFlags(args);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  EXPECT_EQ(parsed->action, FlagsAction::kRun);
  return parsed->flags;
}

Status ParseError(std::vector<std::string> args) {
  Result<ParsedFlags> parsed = ParseFlags(args);
  EXPECT_FALSE(parsed.ok()) << "expected an error";
  return parsed.ok() ? Status::Ok() : parsed.status();
}

TEST(FlagsTest, DefaultsMatchTritonserver) {
  Flags flags = MustParse({"--model-repository", "/models"});
  EXPECT_EQ(flags.model_repositories, std::vector<std::string>{"/models"});
  EXPECT_EQ(flags.http_address, "0.0.0.0");
  EXPECT_EQ(flags.http_port, 8000);
  EXPECT_EQ(flags.grpc_port, 8001);
  EXPECT_EQ(flags.metrics_port, 8002);
  EXPECT_EQ(flags.http_max_input_size, 64 << 20);
  EXPECT_GE(flags.http_thread_count, 2);
  EXPECT_TRUE(flags.allow_http);
  EXPECT_FALSE(flags.exit_on_error);
  EXPECT_TRUE(flags.strict_readiness);
  EXPECT_FALSE(flags.strict_model_config);
  EXPECT_EQ(flags.log_verbose, 0);
  // Next to the test executable, as it would be next to inferd.
  EXPECT_EQ(flags.backend_directory, ExecutableDirectory() + "/backends");
  EXPECT_FALSE(ExecutableDirectory().empty());
}

TEST(FlagsTest, EveryValueFlag) {
  Flags flags = MustParse({"--model-repository=/a", "--model-repository", "/b", "--http-port=18000",
                           "--http-address", "127.0.0.1", "--http-thread-count", "3", "--http-max-input-size=1000",
                           "--grpc-port", "0", "--metrics-port=9", "--log-verbose=1", "--backend-directory", "/opt/b"});
  EXPECT_EQ(flags.model_repositories, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(flags.http_port, 18000);
  EXPECT_EQ(flags.http_address, "127.0.0.1");
  EXPECT_EQ(flags.http_thread_count, 3);
  EXPECT_EQ(flags.http_max_input_size, 1000);
  EXPECT_EQ(flags.grpc_port, 0);
  EXPECT_EQ(flags.metrics_port, 9);
  EXPECT_EQ(flags.log_verbose, 1);
  EXPECT_EQ(flags.backend_directory, "/opt/b");
}

TEST(FlagsTest, BooleanFlagsTakeTritonserverForms) {
  const std::vector<std::pair<std::vector<std::string>, bool>> cases = {
      {{"--exit-on-error"}, true},
      {{"--exit-on-error=true"}, true},
      {{"--exit-on-error=false"}, false},
      {{"--exit-on-error=1"}, true},
      {{"--exit-on-error=0"}, false},
      {{"--exit-on-error", "false"}, false},
      {{"--exit-on-error", "true"}, true},
      {{"--exit-on-error=TRUE"}, true},
      {{"--exit-on-error=true", "--exit-on-error=false"}, false},  // the last one wins
  };
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"--model-repository", "/m"};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(MustParse(args).exit_on_error, expected) << extra.back();
  }
}

TEST(FlagsTest, EveryBooleanFlagCanBeTurnedAround) {
  Flags flags = MustParse({"--model-repository", "/m", "--allow-http=false", "--exit-on-error=1",
                           "--strict-readiness=false", "--strict-model-config"});
  EXPECT_FALSE(flags.allow_http);
  EXPECT_TRUE(flags.exit_on_error);
  EXPECT_FALSE(flags.strict_readiness);
  EXPECT_TRUE(flags.strict_model_config);
}

TEST(FlagsTest, BareBooleanBeforeAnotherFlagDoesNotSwallowIt) {
  Flags flags = MustParse({"--strict-model-config", "--model-repository", "/m"});
  EXPECT_TRUE(flags.strict_model_config);
  EXPECT_EQ(flags.model_repositories, std::vector<std::string>{"/m"});
}

TEST(FlagsTest, BadBooleanIsRejectedWithTheValue) {
  Status status = ParseError({"--model-repository", "/m", "--exit-on-error=maybe"});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--exit-on-error"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("maybe"), std::string::npos) << status.message();
}

TEST(FlagsTest, MissingRepositoryIsAnError) {
  Status status = ParseError({"--http-port", "1"});
  EXPECT_NE(status.message().find("--model-repository"), std::string::npos) << status.message();
}

TEST(FlagsTest, BadValuesAreErrors) {
  EXPECT_EQ(ParseError({"--model-repository", "/m", "--http-port", "abc"}).code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--http-port", "70000"}).message().find("65535"), std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--http-thread-count", "0"}).message().find("--http-thread-count"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--http-max-input-size", "0"}).message().find("--http-max-input-size"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--no-such-flag"}).message().find("--no-such-flag"),
            std::string::npos);
}

TEST(FlagsTest, HelpDocumentsEveryFlag) {
  Result<ParsedFlags> parsed = ParseFlags({"--help"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->action, FlagsAction::kPrintHelp);
  for (const char* flag : {"--model-repository", "--http-port", "--http-address", "--http-thread-count",
                           "--http-max-input-size", "--grpc-port", "--metrics-port", "--allow-http", "--exit-on-error",
                           "--strict-readiness", "--strict-model-config", "--log-verbose", "--backend-directory",
                           "--version"}) {
    EXPECT_NE(parsed->text.find(flag), std::string::npos) << flag << " missing from:\n" << parsed->text;
  }
}

TEST(FlagsTest, VersionNeedsNoRepository) {
  Result<ParsedFlags> parsed = ParseFlags({"--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->action, FlagsAction::kPrintVersion);
}

}  // namespace
}  // namespace inferd::app
