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
  std::vector<std::string> model_repositories;  // --model-repository, repeatable, at least one
  std::string http_address = "0.0.0.0";
  int http_port = 8000;          // 0: an ephemeral port (logged once bound)
  int http_thread_count = 0;     // filled with max(2, hardware threads) when not given
  int64_t http_max_input_size = int64_t{64} << 20;  // bytes, tritonserver's default
  bool allow_http = true;
  int grpc_port = 8001;     // accepted; no gRPC service yet
  int metrics_port = 8002;  // accepted; no metrics service yet
  bool exit_on_error = false;
  bool strict_readiness = true;
  bool strict_model_config = false;
  int log_verbose = 0;
  std::string backend_directory;  // default: <directory of the executable>/backends
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
