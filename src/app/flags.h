// Command-line flags of the inferd binary, named as tritonserver's so that
// existing launch scripts keep working.
//
// Boolean flags take tritonserver's forms: "--exit-on-error=false",
// "--exit-on-error false", "=0" / "=1", "=true" / "=false" (also yes/no,
// on/off), and a bare "--exit-on-error" meaning true. The last occurrence
// wins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace inferd::app {

struct Flags {
  std::vector<std::string> model_repositories;  // --model-repository (or --model-store), repeatable, at least one
  std::string server_id = "inferd";             // --id: the name server metadata reports
  int exit_timeout_secs = 30;                   // how long SIGTERM waits for requests in flight
  std::string model_config_name;  // --model-config-name: <model>/configs/<name>.pbtxt before config.pbtxt
  bool allow_unsupported_config_fields = false;  // serve models whose config asks for what inferd lacks
  std::string http_address = "0.0.0.0";
  int http_port = 8000;          // 0: an ephemeral port (logged once bound)
  int http_thread_count = 0;     // filled with max(2, hardware threads) when not given
  int64_t http_max_input_size = int64_t{64} << 20;  // bytes, tritonserver's default
  bool allow_http = true;
  bool reuse_http_port = false;  // SO_REUSEPORT on the HTTP listener
  int64_t http_max_connections = 0;    // 0: derived from the descriptor limit
  int http_header_timeout_secs = 30;   // a request header must arrive within this
  int http_keepalive_timeout_secs = 300;  // how long an idle keep-alive connection is kept
  // gRPC (tritonserver's names and defaults).
  bool allow_grpc = true;
  std::string grpc_address = "0.0.0.0";
  int grpc_port = 8001;  // 0: an ephemeral port (logged once bound)
  bool reuse_grpc_port = false;
  int64_t grpc_max_input_size = 0;       // largest received message in bytes; 0: --http-max-input-size
  int grpc_max_concurrent_streams = 128;  // calls in flight per connection
  int grpc_infer_thread_count = 2;           // accepted with a warning; see the flag's help
  int grpc_max_connection_age_ms = 0;        // 0: connections live as long as they like
  int grpc_max_connection_age_grace_ms = 0;  // 0: gRPC's default grace
  int grpc_infer_allocation_pool_size = 8;   // ModelInfer message pairs kept for reuse
  std::string grpc_infer_response_compression_level = "none";  // none, low, medium, high
  int grpc_keepalive_time = 7'200'000;  // milliseconds
  int grpc_keepalive_timeout = 20'000;  // milliseconds
  bool grpc_keepalive_permit_without_calls = false;
  int grpc_http2_max_pings_without_data = 2;
  int grpc_http2_min_recv_ping_interval_without_data = 300'000;  // milliseconds
  int grpc_http2_max_ping_strikes = 2;
  bool grpc_use_ssl = false;
  bool grpc_use_ssl_mutual = false;
  std::string grpc_server_cert;  // PEM files
  std::string grpc_server_key;
  std::string grpc_root_cert;
  int metrics_port = 8002;
  bool allow_metrics = true;
  // As tritonserver: when not given, the --http-address while HTTP is served,
  // else 0.0.0.0. Always filled in by ParseFlags.
  std::string metrics_address;
  double metrics_interval_ms = 2000;  // accepted; metrics are computed when scraped
  bool allow_cpu_metrics = true;   // nv_cpu_* gauges
  bool allow_gpu_metrics = true;   // accepted; there are no GPU metrics
  bool exit_on_error = false;
  bool strict_readiness = true;
  bool strict_model_config = false;
  int log_verbose = 0;
  std::string backend_directory;  // default: <directory of the executable>/backends
  // Model control (tritonserver's names and defaults; app/model_control_flags.h).
  std::string model_control_mode = "none";  // none, poll or explicit
  int repository_poll_secs = 15;             // poll mode only
  std::vector<std::string> load_models;      // --load-model, explicit mode only; "*": all
  int model_load_thread_count = 4;
  bool allow_model_upload = false;  // accept "file:" parameters in load requests
  // "<api>[,<api>...]:<key>=<value>" groups (frontend/restricted/restricted_api.h).
  std::vector<std::string> http_restricted_api;
  std::vector<std::string> grpc_restricted_protocol;
  // tritonserver flags accepted without effect, one warning each (app/tritonserver_flags.h).
  std::vector<std::string> ignored_flag_warnings;
};

enum class FlagsAction {
  kRun,           // start the server with `flags`
  kPrintHelp,     // print `text` (the help) and exit 0
  kPrintVersion,  // print the version and exit 0
};

struct ParsedFlags {
  FlagsAction action = FlagsAction::kRun;
  Flags flags;
  std::string text;  // the help text for kPrintHelp
};

// Parses the arguments after the program name. INVALID_ARGUMENT, with the
// flag and the offending value in the message, for anything wrong: unknown
// flags, bad numbers, ports out of range, a missing --model-repository.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args);

// The directory holding the running executable ("" if it cannot be found).
std::string ExecutableDirectory();

}  // namespace inferd::app
