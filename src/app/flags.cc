#include "app/flags.h"

#include "app/model_control_flags.h"
#include "app/tritonserver_flags.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <deque>
#include <filesystem>
#include <limits>
#include <optional>
#include <thread>
#include <utility>

namespace inferd::app {

namespace {

// CLI11's own flags do not take "--flag value" and its options do not take
// a bare "--flag", while tritonserver users write both. So each boolean is an
// option taking zero or one value, collected raw and read here.
struct BoolFlag {
  std::string name;
  bool* target = nullptr;
  std::vector<std::string> raw;  // one entry per occurrence; "" for a bare flag
  CLI::Option* option = nullptr;
};

std::optional<bool> ParseBool(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text.empty() || text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

void AddBoolFlag(CLI::App& app, std::deque<BoolFlag>& flags, const std::string& name, bool* target,
                 const std::string& help) {
  BoolFlag& flag = flags.emplace_back();
  flag.name = name;
  flag.target = target;
  flag.option = app.add_option(name, flag.raw, fmt::format("{} (default: {})", help, *target ? "true" : "false"))
                    ->expected(0, 1)
                    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                    ->type_name("BOOL");
}

Status ApplyBoolFlags(const std::deque<BoolFlag>& flags) {
  for (const BoolFlag& flag : flags) {
    if (flag.option->count() == 0) continue;
    const std::string value = flag.raw.empty() ? "" : flag.raw.back();
    std::optional<bool> parsed = ParseBool(value);
    if (!parsed) {
      return Status::InvalidArgument(
          fmt::format("{} expects true/false (or 1/0), got '{}'", flag.name, value));
    }
    *flag.target = *parsed;
  }
  return Status::Ok();
}

Status CheckPort(const char* flag, int port) {
  if (port < 0 || port > 65535) return Status::InvalidArgument(fmt::format("{} must be 0..65535, got {}", flag, port));
  return Status::Ok();
}

Status ValidateGrpc(const Flags& flags);  // below, beside the gRPC flags
Status ValidateConnectionLimits(const Flags& flags);

Status Validate(const Flags& flags) {
  if (flags.model_repositories.empty()) {
    return Status::InvalidArgument("--model-repository is required (give it once per repository folder)");
  }
  for (const std::string& repository : flags.model_repositories) {
    if (repository.empty()) return Status::InvalidArgument("--model-repository must not be empty");
  }
  RETURN_IF_ERROR(CheckPort("--http-port", flags.http_port));
  RETURN_IF_ERROR(CheckPort("--grpc-port", flags.grpc_port));
  RETURN_IF_ERROR(ValidateGrpc(flags));
  RETURN_IF_ERROR(ValidateConnectionLimits(flags));
  RETURN_IF_ERROR(CheckPort("--metrics-port", flags.metrics_port));
  RETURN_IF_ERROR(ValidateModelControlFlags(flags));
  if (!(flags.metrics_interval_ms > 0)) {
    return Status::InvalidArgument(
        fmt::format("--metrics-interval-ms must be a positive number of milliseconds, got {}",
                    flags.metrics_interval_ms));
  }
  if (flags.exit_timeout_secs < 0) {
    return Status::InvalidArgument(fmt::format("--exit-timeout-secs must be 0 or more, got {}", flags.exit_timeout_secs));
  }
  if (flags.model_config_name.find_first_of(" /\\") != std::string::npos || flags.model_config_name == "..") {
    return Status::InvalidArgument(fmt::format(
        "--model-config-name must be a plain name (no spaces or slashes), got '{}'", flags.model_config_name));
  }
  if (flags.http_thread_count < 1) {
    return Status::InvalidArgument(fmt::format("--http-thread-count must be at least 1, got {}", flags.http_thread_count));
  }
  if (flags.http_max_input_size < 1) {
    return Status::InvalidArgument(
        fmt::format("--http-max-input-size must be a positive number of bytes, got {}", flags.http_max_input_size));
  }
  if (flags.log_verbose < 0) {
    return Status::InvalidArgument(fmt::format("--log-verbose must be 0 or more, got {}", flags.log_verbose));
  }
  return Status::Ok();
}

void AddGrpcFlags(CLI::App& app, std::deque<BoolFlag>& bool_flags, Flags& flags) {
  AddBoolFlag(app, bool_flags, "--allow-grpc", &flags.allow_grpc, "Serve the KServe v2 gRPC protocol");
  app.add_option("--grpc-address", flags.grpc_address, "Address the gRPC service listens on")
      ->capture_default_str()
      ->type_name("ADDRESS");
  app.add_option("--grpc-port", flags.grpc_port, "Port of the gRPC service; 0 picks a free port (logged)")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--reuse-grpc-port", &flags.reuse_grpc_port,
              "Let several servers listen on the same gRPC port (SO_REUSEPORT)");
  app.add_option("--grpc-infer-thread-count", flags.grpc_infer_thread_count,
                 "Accepted with a warning, for tritonserver compatibility: inferd's gRPC handlers never block (the "
                 "callback API runs them on gRPC's own threads), so there is no inference handler thread pool to size")
      ->capture_default_str();
  app.add_option("--grpc-max-connection-age", flags.grpc_max_connection_age_ms,
                 "Milliseconds a gRPC connection may live before the server asks the client to reconnect (GOAWAY); "
                 "0: no limit")
      ->capture_default_str();
  app.add_option("--grpc-max-connection-age-grace", flags.grpc_max_connection_age_grace_ms,
                 "Milliseconds calls may still run on a connection past --grpc-max-connection-age; 0: gRPC's default")
      ->capture_default_str();
  app.add_option("--grpc-infer-allocation-pool-size", flags.grpc_infer_allocation_pool_size,
                 "ModelInfer request/response messages kept allocated for reuse by later calls")
      ->capture_default_str();
  app.add_option("--grpc-infer-response-compression-level", flags.grpc_infer_response_compression_level,
                 "Compression of inference responses: none, low, medium or high")
      ->capture_default_str()
      ->type_name("LEVEL");
  app.add_option("--grpc-keepalive-time", flags.grpc_keepalive_time,
                 "Milliseconds after which a keepalive ping is sent on the transport")
      ->capture_default_str();
  app.add_option("--grpc-keepalive-timeout", flags.grpc_keepalive_timeout,
                 "Milliseconds to wait for a keepalive ping's acknowledgement before closing the connection")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--grpc-keepalive-permit-without-calls", &flags.grpc_keepalive_permit_without_calls,
              "Allow keepalive pings when no call is in flight");
  app.add_option("--grpc-http2-max-pings-without-data", flags.grpc_http2_max_pings_without_data,
                 "Pings that may be sent without data or header frames in between; 0: no limit")
      ->capture_default_str();
  app.add_option("--grpc-http2-min-recv-ping-interval-without-data",
                 flags.grpc_http2_min_recv_ping_interval_without_data,
                 "Milliseconds expected between received pings when no data is sent; a shorter gap is a ping strike")
      ->capture_default_str();
  app.add_option("--grpc-http2-max-ping-strikes", flags.grpc_http2_max_ping_strikes,
                 "Bad pings tolerated before the connection is closed (GOAWAY); 0: any number")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--grpc-use-ssl", &flags.grpc_use_ssl,
              "Serve gRPC over TLS (needs --grpc-server-cert and --grpc-server-key)");
  AddBoolFlag(app, bool_flags, "--grpc-use-ssl-mutual", &flags.grpc_use_ssl_mutual,
              "Serve gRPC over mutual TLS: clients must present a certificate signed by --grpc-root-cert");
  app.add_option("--grpc-server-cert", flags.grpc_server_cert, "PEM file with the server certificate (TLS)")
      ->type_name("PATH");
  app.add_option("--grpc-server-key", flags.grpc_server_key, "PEM file with the server private key (TLS)")
      ->type_name("PATH");
  app.add_option("--grpc-root-cert", flags.grpc_root_cert,
                 "PEM file with the root certificate that client certificates must chain to (mutual TLS)")
      ->type_name("PATH");
}

// Limits that keep many or slow clients from exhausting the server; not
// tritonserver's (it has none of these), named in its style.
void AddConnectionLimitFlags(CLI::App& app, Flags& flags) {
  app.add_option("--http-max-connections", flags.http_max_connections,
                 "Open HTTP connections allowed; at the limit (or when descriptors run out) the oldest idle "
                 "connection is closed for each new one. 0: the descriptor limit (ulimit -n) less an eighth, at least "
                 "64 kept for the rest of the server")
      ->capture_default_str();
  app.add_option("--http-header-timeout-secs", flags.http_header_timeout_secs,
                 "Seconds a request header may take from its first byte to its end (and a new connection to its "
                 "first byte); a client sending slowly is cut off, not waited for")
      ->capture_default_str();
  app.add_option("--http-keepalive-timeout-secs", flags.http_keepalive_timeout_secs,
                 "Seconds an idle keep-alive HTTP connection is kept waiting for its next request")
      ->capture_default_str();
  app.add_option("--grpc-max-input-size", flags.grpc_max_input_size,
                 "Largest accepted gRPC message in bytes; a larger one is refused with RESOURCE_EXHAUSTED, and the "
                 "transport buffers at most twice this for all calls together. 0: the value of --http-max-input-size")
      ->capture_default_str();
  app.add_option("--grpc-max-concurrent-streams", flags.grpc_max_concurrent_streams,
                 "gRPC calls in flight per connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); clients queue "
                 "further calls")
      ->capture_default_str();
}

Status ValidateConnectionLimits(const Flags& flags) {
  if (flags.http_max_connections < 0) {
    return Status::InvalidArgument(
        fmt::format("--http-max-connections must be 0 or more, got {}", flags.http_max_connections));
  }
  if (flags.http_header_timeout_secs < 1 || flags.http_keepalive_timeout_secs < 1) {
    return Status::InvalidArgument(fmt::format(
        "--http-header-timeout-secs and --http-keepalive-timeout-secs must be at least 1, got {} and {}",
        flags.http_header_timeout_secs, flags.http_keepalive_timeout_secs));
  }
  if (flags.grpc_max_input_size < 0 || flags.grpc_max_input_size > std::numeric_limits<int>::max()) {
    return Status::InvalidArgument(fmt::format("--grpc-max-input-size must be between 0 and {} bytes, got {}",
                                               std::numeric_limits<int>::max(), flags.grpc_max_input_size));
  }
  if (flags.grpc_max_concurrent_streams < 1) {
    return Status::InvalidArgument(
        fmt::format("--grpc-max-concurrent-streams must be at least 1, got {}", flags.grpc_max_concurrent_streams));
  }
  return Status::Ok();
}

Status ValidateGrpc(const Flags& flags) {
  const std::string& level = flags.grpc_infer_response_compression_level;
  if (level != "none" && level != "low" && level != "medium" && level != "high") {
    return Status::InvalidArgument(fmt::format(
        "--grpc-infer-response-compression-level must be none, low, medium or high, got '{}'", level));
  }
  const std::pair<const char*, int> non_negative[] = {
      {"--grpc-keepalive-time", flags.grpc_keepalive_time},
      {"--grpc-keepalive-timeout", flags.grpc_keepalive_timeout},
      {"--grpc-http2-max-pings-without-data", flags.grpc_http2_max_pings_without_data},
      {"--grpc-http2-min-recv-ping-interval-without-data", flags.grpc_http2_min_recv_ping_interval_without_data},
      {"--grpc-http2-max-ping-strikes", flags.grpc_http2_max_ping_strikes},
      {"--grpc-infer-thread-count", flags.grpc_infer_thread_count},
      {"--grpc-max-connection-age", flags.grpc_max_connection_age_ms},
      {"--grpc-max-connection-age-grace", flags.grpc_max_connection_age_grace_ms},
      {"--grpc-infer-allocation-pool-size", flags.grpc_infer_allocation_pool_size}};
  for (const auto& [flag, value] : non_negative) {
    if (value < 0) return Status::InvalidArgument(fmt::format("{} must be 0 or more, got {}", flag, value));
  }
  return Status::Ok();
}

}  // namespace

std::string ExecutableDirectory() {
  std::error_code ec;
  std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return executable.parent_path().string();
}

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args) {
  ParsedFlags parsed;
  Flags& flags = parsed.flags;
  bool show_version = false;
  std::optional<int> thread_count;
  std::deque<BoolFlag> bool_flags;
  std::deque<AcceptedTritonFlag> accepted_triton_flags;

  CLI::App app{"inferd: an inference server that serves Triton model repositories over the KServe v2 protocol.",
               "inferd"};
  app.add_option("--model-repository,--model-store", flags.model_repositories,
                 "Model repository folder to serve; repeat the flag for several (required). --model-store is "
                 "tritonserver's older name")
      ->type_name("PATH");
  app.add_option("--id", flags.server_id, "Name of this server, reported in server metadata")->capture_default_str();
  app.add_option("--exit-timeout-secs", flags.exit_timeout_secs,
                 "On SIGINT/SIGTERM: seconds to let HTTP and gRPC requests in flight finish (new connections and "
                 "calls are refused meanwhile) before the server exits anyway")
      ->capture_default_str();
  app.add_option("--model-config-name", flags.model_config_name,
                 "Load <model>/configs/<NAME>.pbtxt where it exists, config.pbtxt otherwise (tritonserver's custom "
                 "model configuration)")
      ->type_name("NAME");
  AddBoolFlag(app, bool_flags, "--allow-unsupported-config-fields", &flags.allow_unsupported_config_fields,
              "Serve models whose config sets fields inferd does not implement yet and that change results "
              "(sequence_batching, decoupled transactions, batch_input/batch_output, ragged batching, CUDA or "
              "accelerator options, model_operations, repository agents, runtime, ensemble model_namespace), "
              "without that behaviour; by default such models are UNAVAILABLE with the reason");
  app.add_option("--http-address", flags.http_address, "Address the HTTP service listens on")
      ->capture_default_str()
      ->type_name("ADDRESS");
  app.add_option("--http-port", flags.http_port, "Port of the HTTP service; 0 picks a free port (logged)")
      ->capture_default_str();
  app.add_option("--http-thread-count", thread_count,
                 "Threads serving HTTP connections (default: the machine's hardware threads, at least 2)");
  app.add_option("--http-max-input-size", flags.http_max_input_size,
                 "Largest accepted HTTP request body in bytes, after decompression (default: 67108864 = 64 MiB)");
  AddBoolFlag(app, bool_flags, "--allow-http", &flags.allow_http, "Serve HTTP");
  AddBoolFlag(app, bool_flags, "--reuse-http-port", &flags.reuse_http_port,
              "Let several servers listen on the same HTTP port (SO_REUSEPORT)");
  AddGrpcFlags(app, bool_flags, flags);
  AddConnectionLimitFlags(app, flags);
  app.add_option("--metrics-port", flags.metrics_port, "Port of the Prometheus metrics service (/metrics)")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--allow-metrics", &flags.allow_metrics, "Serve Prometheus metrics");
  app.add_option("--metrics-address", flags.metrics_address,
                 "Address the metrics service listens on (default: --http-address while HTTP is served, else 0.0.0.0)")
      ->type_name("ADDRESS");
  app.add_option("--metrics-interval-ms", flags.metrics_interval_ms,
                 "Accepted for tritonserver compatibility; inferd computes metrics when they are scraped")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--allow-cpu-metrics", &flags.allow_cpu_metrics,
              "Report CPU utilisation and memory (nv_cpu_*)");
  AddBoolFlag(app, bool_flags, "--allow-gpu-metrics", &flags.allow_gpu_metrics,
              "Accepted for tritonserver compatibility; inferd reports no GPU metrics");
  AddBoolFlag(app, bool_flags, "--exit-on-error", &flags.exit_on_error,
              "Exit at start-up when any model fails to load (false: serve the models that loaded)");
  AddBoolFlag(app, bool_flags, "--strict-readiness", &flags.strict_readiness,
              "Report the server ready only when every model is ready (false: as soon as it is live)");
  AddBoolFlag(app, bool_flags, "--strict-model-config", &flags.strict_model_config,
              "Require complete config.pbtxt files (false: fill missing fields from the model file)");
  // tritonserver's newer spelling of --strict-model-config=true.
  AddBoolFlag(app, bool_flags, "--disable-auto-complete-config", &flags.strict_model_config,
              "Same as --strict-model-config (tritonserver's newer name)");
  AddModelControlFlags(app, flags);
  AddBoolFlag(app, bool_flags, "--allow-model-upload", &flags.allow_model_upload,
              "Accept model files in load requests ('file:' parameters), written to a temporary folder and loaded. "
              "An upload is code the server runs: allow it only with the model-repository API restricted "
              "(--http-restricted-api, --grpc-restricted-protocol) or on a private network");
  AddAcceptedTritonFlags(app, accepted_triton_flags);
  app.add_option("--log-verbose", flags.log_verbose, "Verbose logging level; 0 is off, 1 or more logs each request")
      ->capture_default_str();
  app.add_option("--backend-directory", flags.backend_directory,
                 "Folder with backend libraries (default: 'backends' next to the inferd executable)")
      ->type_name("PATH");
  app.add_flag("--version", show_version, "Print the version and exit");

  // CLI11 consumes the arguments from the back of the vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    parsed.action = FlagsAction::kPrintHelp;
    parsed.text = app.help();
    return parsed;
  } catch (const CLI::CallForAllHelp&) {
    parsed.action = FlagsAction::kPrintHelp;
    parsed.text = app.help("", CLI::AppFormatMode::All);
    return parsed;
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  if (show_version) {
    parsed.action = FlagsAction::kPrintVersion;
    return parsed;
  }

  RETURN_IF_ERROR(ApplyBoolFlags(bool_flags));
  flags.ignored_flag_warnings = AcceptedTritonFlagWarnings(accepted_triton_flags);
  if (app.count("--grpc-infer-thread-count") > 0) {
    flags.ignored_flag_warnings.push_back(
        "ignoring tritonserver flag --grpc-infer-thread-count: inferd's gRPC handlers never block, so there is no "
        "inference handler thread pool to size");
  }
  flags.http_thread_count = thread_count.value_or(std::max(2, static_cast<int>(std::thread::hardware_concurrency())));
  if (flags.backend_directory.empty()) {
    const std::string executable_directory = ExecutableDirectory();
    flags.backend_directory = executable_directory.empty() ? "backends" : executable_directory + "/backends";
  }
  if (flags.metrics_address.empty()) flags.metrics_address = flags.allow_http ? flags.http_address : "0.0.0.0";
  RETURN_IF_ERROR(Validate(flags));
  return parsed;
}

}  // namespace inferd::app
