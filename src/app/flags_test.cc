#include "app/flags.h"

#include <gmock/gmock.h>
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
                           "--version", "--allow-metrics", "--metrics-address", "--metrics-interval-ms",
                           "--allow-cpu-metrics", "--allow-gpu-metrics", "--allow-grpc", "--grpc-address",
                           "--grpc-keepalive-time", "--grpc-use-ssl", "--grpc-root-cert",
                           "--grpc-infer-response-compression-level"}) {
    EXPECT_NE(parsed->text.find(flag), std::string::npos) << flag << " missing from:\n" << parsed->text;
  }
}

TEST(FlagsTest, MetricsFlagsTakeTritonserverNamesAndDefaults) {
  Flags defaults = MustParse({"--model-repository", "/m"});
  EXPECT_TRUE(defaults.allow_metrics);
  EXPECT_TRUE(defaults.allow_cpu_metrics);
  EXPECT_TRUE(defaults.allow_gpu_metrics);
  EXPECT_EQ(defaults.metrics_interval_ms, 2000);
  EXPECT_EQ(defaults.metrics_address, "0.0.0.0");

  Flags flags = MustParse({"--model-repository", "/m", "--allow-metrics=false", "--metrics-address", "127.0.0.2",
                           "--metrics-interval-ms=500", "--allow-cpu-metrics", "false", "--allow-gpu-metrics=0"});
  EXPECT_FALSE(flags.allow_metrics);
  EXPECT_EQ(flags.metrics_address, "127.0.0.2");
  EXPECT_EQ(flags.metrics_interval_ms, 500);
  EXPECT_FALSE(flags.allow_cpu_metrics);
  EXPECT_FALSE(flags.allow_gpu_metrics);
}

TEST(FlagsTest, MetricsAddressFollowsTheHttpAddressAsInTritonserver) {
  EXPECT_EQ(MustParse({"--model-repository", "/m", "--http-address", "127.0.0.1"}).metrics_address, "127.0.0.1");
  // Without HTTP there is no HTTP address to follow.
  EXPECT_EQ(MustParse({"--model-repository", "/m", "--http-address", "127.0.0.1", "--allow-http=false"})
                .metrics_address,
            "0.0.0.0");
  // An explicit --metrics-address wins.
  EXPECT_EQ(MustParse({"--model-repository", "/m", "--http-address", "127.0.0.1", "--metrics-address", "0.0.0.0"})
                .metrics_address,
            "0.0.0.0");
}

TEST(FlagsTest, BadMetricsValuesAreErrors) {
  EXPECT_NE(
      ParseError({"--model-repository", "/m", "--metrics-interval-ms", "0"}).message().find("--metrics-interval-ms"),
      std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--metrics-port", "-1"}).message().find("--metrics-port"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--allow-metrics=sometimes"}).message().find("--allow-metrics"),
            std::string::npos);
}

TEST(FlagsTest, GrpcFlagsTakeTritonserverNamesAndDefaults) {
  Flags defaults = MustParse({"--model-repository", "/m"});
  EXPECT_TRUE(defaults.allow_grpc);
  EXPECT_EQ(defaults.grpc_address, "0.0.0.0");
  EXPECT_EQ(defaults.grpc_port, 8001);
  EXPECT_FALSE(defaults.reuse_grpc_port);
  EXPECT_EQ(defaults.grpc_infer_response_compression_level, "none");
  EXPECT_EQ(defaults.grpc_keepalive_time, 7200000);
  EXPECT_EQ(defaults.grpc_keepalive_timeout, 20000);
  EXPECT_FALSE(defaults.grpc_keepalive_permit_without_calls);
  EXPECT_EQ(defaults.grpc_http2_max_pings_without_data, 2);
  EXPECT_EQ(defaults.grpc_http2_min_recv_ping_interval_without_data, 300000);
  EXPECT_EQ(defaults.grpc_http2_max_ping_strikes, 2);
  EXPECT_FALSE(defaults.grpc_use_ssl);
  EXPECT_FALSE(defaults.grpc_use_ssl_mutual);

  Flags flags = MustParse({"--model-repository", "/m", "--allow-grpc=false", "--grpc-address", "127.0.0.1",
                           "--grpc-port=0", "--reuse-grpc-port", "--grpc-infer-thread-count", "4",
                           "--grpc-infer-allocation-pool-size=16", "--grpc-infer-response-compression-level", "high",
                           "--grpc-keepalive-time=1000", "--grpc-keepalive-timeout", "500",
                           "--grpc-keepalive-permit-without-calls", "true", "--grpc-http2-max-pings-without-data=0",
                           "--grpc-http2-min-recv-ping-interval-without-data", "100", "--grpc-http2-max-ping-strikes=0",
                           "--grpc-use-ssl=1", "--grpc-use-ssl-mutual", "--grpc-server-cert", "/c.pem",
                           "--grpc-server-key=/k.pem", "--grpc-root-cert", "/r.pem"});
  EXPECT_FALSE(flags.allow_grpc);
  EXPECT_EQ(flags.grpc_address, "127.0.0.1");
  EXPECT_EQ(flags.grpc_port, 0);
  EXPECT_TRUE(flags.reuse_grpc_port);
  EXPECT_EQ(flags.grpc_infer_thread_count, 4);
  EXPECT_EQ(flags.grpc_infer_allocation_pool_size, 16);
  EXPECT_EQ(flags.grpc_infer_response_compression_level, "high");
  EXPECT_EQ(flags.grpc_keepalive_time, 1000);
  EXPECT_EQ(flags.grpc_keepalive_timeout, 500);
  EXPECT_TRUE(flags.grpc_keepalive_permit_without_calls);
  EXPECT_EQ(flags.grpc_http2_max_pings_without_data, 0);
  EXPECT_EQ(flags.grpc_http2_min_recv_ping_interval_without_data, 100);
  EXPECT_EQ(flags.grpc_http2_max_ping_strikes, 0);
  EXPECT_TRUE(flags.grpc_use_ssl);
  EXPECT_TRUE(flags.grpc_use_ssl_mutual);
  EXPECT_EQ(flags.grpc_server_cert, "/c.pem");
  EXPECT_EQ(flags.grpc_server_key, "/k.pem");
  EXPECT_EQ(flags.grpc_root_cert, "/r.pem");
}

TEST(FlagsTest, BadGrpcValuesAreErrors) {
  EXPECT_NE(ParseError({"--model-repository", "/m", "--grpc-infer-response-compression-level", "max"})
                .message()
                .find("--grpc-infer-response-compression-level"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--grpc-keepalive-time=-1"}).message().find("--grpc-keepalive-time"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--grpc-port", "70000"}).message().find("--grpc-port"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--grpc-use-ssl=maybe"}).message().find("--grpc-use-ssl"),
            std::string::npos);
}

TEST(FlagsTest, ConnectionLimitFlags) {
  Flags defaults = MustParse({"--model-repository", "/m"});
  EXPECT_EQ(defaults.http_max_connections, 0);  // derived from the descriptor limit
  EXPECT_EQ(defaults.http_header_timeout_secs, 30);
  EXPECT_EQ(defaults.http_keepalive_timeout_secs, 300);
  EXPECT_EQ(defaults.grpc_max_input_size, 0);  // follows --http-max-input-size
  EXPECT_EQ(defaults.grpc_max_concurrent_streams, 128);
  Flags set = MustParse({"--model-repository", "/m", "--http-max-connections=500", "--http-header-timeout-secs=5",
                         "--http-keepalive-timeout-secs", "60", "--grpc-max-input-size=1048576",
                         "--grpc-max-concurrent-streams=16"});
  EXPECT_EQ(set.http_max_connections, 500);
  EXPECT_EQ(set.http_header_timeout_secs, 5);
  EXPECT_EQ(set.http_keepalive_timeout_secs, 60);
  EXPECT_EQ(set.grpc_max_input_size, 1 << 20);
  EXPECT_EQ(set.grpc_max_concurrent_streams, 16);
}

TEST(FlagsTest, BadConnectionLimitsAreErrors) {
  for (const char* bad : {"--http-max-connections=-1", "--http-header-timeout-secs=0",
                          "--http-keepalive-timeout-secs=0", "--grpc-max-input-size=-5",
                          "--grpc-max-input-size=4294967296", "--grpc-max-concurrent-streams=0"}) {
    Status status = ParseError({"--model-repository", "/m", bad});
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    const std::string flag = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_THAT(status.message(), ::testing::HasSubstr(flag)) << status.message();
  }
}

TEST(FlagsTest, VersionNeedsNoRepository) {
  Result<ParsedFlags> parsed = ParseFlags({"--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->action, FlagsAction::kPrintVersion);
}


TEST(TritonserverFlagsTest, LaunchScriptFlagsAreAcceptedWithAWarningEach) {
  Flags flags = MustParse({"--model-repository", "/models", "--log-info", "true", "--sagemaker-port", "8080",
                           "--trace-file", "--grpc-infer-thread-count", "4"});
  EXPECT_THAT(flags.ignored_flag_warnings,
              ::testing::ElementsAre(::testing::HasSubstr("--log-info=true"),
                                     ::testing::HasSubstr("--trace-file"),
                                     ::testing::HasSubstr("--sagemaker-port=8080"),
                                     ::testing::HasSubstr("--grpc-infer-thread-count")));
}

TEST(TritonserverFlagsTest, ModelControlFlagsTakeTritonserversNamesDefaultsAndRules) {
  Flags defaults = MustParse({"--model-repository", "/models"});
  EXPECT_EQ(defaults.model_control_mode, "none");
  EXPECT_EQ(defaults.repository_poll_secs, 15);
  EXPECT_EQ(defaults.model_load_thread_count, 4);
  EXPECT_TRUE(defaults.load_models.empty());
  EXPECT_FALSE(defaults.allow_model_upload);

  Flags flags = MustParse({"--model-repository", "/models", "--model-control-mode=explicit", "--load-model", "a",
                           "--load-model=b", "--model-load-thread-count=2", "--allow-model-upload"});
  EXPECT_EQ(flags.model_control_mode, "explicit");
  EXPECT_THAT(flags.load_models, ::testing::ElementsAre("a", "b"));
  EXPECT_EQ(flags.model_load_thread_count, 2);
  EXPECT_TRUE(flags.allow_model_upload);
  EXPECT_TRUE(flags.ignored_flag_warnings.empty());
  EXPECT_EQ(MustParse({"--model-repository", "/m", "--model-control-mode=POLL", "--repository-poll-secs=3"})
                .repository_poll_secs,
            3);

  // tritonserver's words.
  EXPECT_THAT(ParseError({"--model-repository", "/m", "--load-model=a"}).message(),
              ::testing::HasSubstr("Use of '--load-model' requires setting '--model-control-mode=explicit' as well."));
  EXPECT_THAT(ParseError({"--model-repository", "/m", "--model-control-mode=explicit", "--load-model=*",
                          "--load-model=a"})
                  .message(),
              ::testing::HasSubstr("Wildcard model name '*' must be the ONLY startup model"));
  EXPECT_THAT(ParseError({"--model-repository", "/m", "--model-control-mode=sometimes"}).message(),
              ::testing::HasSubstr("--model-control-mode"));
  EXPECT_THAT(ParseError({"--model-repository", "/m", "--model-load-thread-count=0"}).message(),
              ::testing::HasSubstr("--model-load-thread-count"));
}

TEST(TritonserverFlagsTest, FlagsThatActTakeTritonserversNamesAndDefaults) {
  Flags defaults = MustParse({"--model-repository", "/models"});
  EXPECT_EQ(defaults.server_id, "inferd");
  EXPECT_EQ(defaults.exit_timeout_secs, 30);
  EXPECT_FALSE(defaults.reuse_http_port);
  EXPECT_FALSE(defaults.allow_unsupported_config_fields);
  EXPECT_TRUE(defaults.model_config_name.empty());

  Flags flags = MustParse({"--model-store=/a", "--model-repository", "/b", "--id", "triton", "--exit-timeout-secs=5",
                           "--reuse-http-port", "--metrics-interval-ms", "250.5", "--model-config-name=h100",
                           "--allow-unsupported-config-fields=true", "--grpc-max-connection-age", "60000",
                           "--grpc-max-connection-age-grace=1000"});
  EXPECT_THAT(flags.model_repositories, ::testing::ElementsAre("/a", "/b"));
  EXPECT_EQ(flags.server_id, "triton");
  EXPECT_EQ(flags.exit_timeout_secs, 5);
  EXPECT_TRUE(flags.reuse_http_port);
  EXPECT_DOUBLE_EQ(flags.metrics_interval_ms, 250.5);
  EXPECT_EQ(flags.model_config_name, "h100");
  EXPECT_TRUE(flags.allow_unsupported_config_fields);
  EXPECT_EQ(flags.grpc_max_connection_age_ms, 60000);
  EXPECT_EQ(flags.grpc_max_connection_age_grace_ms, 1000);
  EXPECT_TRUE(flags.ignored_flag_warnings.empty());
}

TEST(TritonserverFlagsTest, BadValuesOfFlagsThatActAreErrors) {
  EXPECT_NE(ParseError({"--model-repository", "/m", "--exit-timeout-secs=-1"}).message().find("--exit-timeout-secs"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--model-config-name=../x"}).message().find("--model-config-name"),
            std::string::npos);
  EXPECT_NE(ParseError({"--model-repository", "/m", "--metrics-interval-ms=-2"}).message().find("--metrics-interval-ms"),
            std::string::npos);
}

TEST(TritonserverFlagsTest, EveryTritonserverFlagIsKnown) {
  // Triton 2.51's command_line_parser.cc, less --help: each parses (and
  // either acts or warns); none is "unknown".
  for (const char* flag :
       {"--allow-client-shm=false", "--allow-cpu-metrics=true", "--allow-gpu-metrics=true", "--allow-grpc=true",
        "--allow-http=true", "--allow-metrics=true", "--allow-sagemaker=false", "--allow-vertex-ai=false",
        "--backend-config=onnxruntime,x=1", "--backend-directory=/b", "--buffer-manager-thread-count=1",
        "--cache-config=local,size=1", "--cache-directory=/c", "--cuda-memory-pool-byte-size=0:1",
        "--cuda-virtual-address-size=0:1", "--disable-auto-complete-config", "--enable-peer-access=true",
        "--exit-on-error=false", "--exit-timeout-secs=1", "--grpc-address=127.0.0.1",
        "--grpc-header-forward-pattern=x", "--grpc-http2-max-ping-strikes=2",
        "--grpc-http2-max-pings-without-data=2", "--grpc-http2-min-recv-ping-interval-without-data=1",
        "--grpc-infer-allocation-pool-size=8", "--grpc-infer-response-compression-level=none",
        "--grpc-infer-thread-count=2", "--grpc-keepalive-permit-without-calls=false", "--grpc-keepalive-time=1",
        "--grpc-keepalive-timeout=1", "--grpc-max-connection-age=1", "--grpc-max-connection-age-grace=1",
        "--grpc-max-response-pool-size=1", "--grpc-port=1", "--grpc-restricted-protocol=health:k=v",
        "--grpc-root-cert=/r", "--grpc-server-cert=/s", "--grpc-server-key=/k", "--grpc-use-ssl=false",
        "--grpc-use-ssl-mutual=false", "--host-policy=p,numa-node=0", "--http-address=127.0.0.1",
        "--http-header-forward-pattern=x", "--http-max-input-size=10", "--http-port=1",
        "--http-restricted-api=health:k=v", "--http-thread-count=1", "--id=x",
        "--log-error=true", "--log-file=/l", "--log-format=default", "--log-info=true", "--log-verbose=0",
        "--log-warning=true", "--metrics-address=127.0.0.1", "--metrics-config=summary_latencies=true",
        "--metrics-interval-ms=1", "--metrics-port=1", "--min-supported-compute-capability=6.0",
        "--model-config-name=a", "--model-control-mode=none", "--model-load-gpu-limit=0:0.5",
        "--model-load-retry-count=0", "--model-load-thread-count=1", "--model-namespacing=false",
        "--model-store=/m", "--pinned-memory-pool-byte-size=1", "--rate-limit=off",
        "--rate-limit-resource=R:1", "--repoagent-directory=/r", "--repository-poll-secs=1",
        "--response-cache-byte-size=0", "--reuse-grpc-port=false", "--reuse-http-port=false",
        "--sagemaker-port=1", "--sagemaker-safe-port-range=1-2", "--sagemaker-thread-count=1",
        "--strict-model-config=false", "--strict-readiness=true", "--trace-config=level=OFF", "--trace-count=1",
        "--trace-file=/t", "--trace-level=OFF", "--trace-log-frequency=1", "--trace-rate=1",
        "--vertex-ai-default-model=m", "--vertex-ai-port=1", "--vertex-ai-thread-count=1"}) {
    Result<ParsedFlags> parsed = ParseFlags({"--model-repository", "/models", flag});
    EXPECT_TRUE(parsed.ok()) << flag << ": " << parsed.status().ToString();
  }
}

TEST(TritonserverFlagsTest, ValuesThatMatchInferdNeedNoWarning) {
  Flags flags = MustParse({"--model-repository", "/models", "--model-control-mode", "none", "--allow-sagemaker=false"});
  EXPECT_TRUE(flags.ignored_flag_warnings.empty());
}

TEST(TritonserverFlagsTest, DisableAutoCompleteConfigIsStrictModelConfig) {
  EXPECT_FALSE(MustParse({"--model-repository", "/models"}).strict_model_config);
  EXPECT_TRUE(MustParse({"--model-repository", "/models", "--disable-auto-complete-config"}).strict_model_config);
}

TEST(TritonserverFlagsTest, FlagsNobodyKnowsAreStillErrors) {
  Status status = ParseError({"--model-repository", "/models", "--model-contrl-mode=none"});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferd::app
