#include "app/flags.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <deque>
#include <filesystem>
#include <optional>
#include <thread>

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

Status Validate(const Flags& flags) {
  if (flags.model_repositories.empty()) {
    return Status::InvalidArgument("--model-repository is required (give it once per repository folder)");
  }
  for (const std::string& repository : flags.model_repositories) {
    if (repository.empty()) return Status::InvalidArgument("--model-repository must not be empty");
  }
  RETURN_IF_ERROR(CheckPort("--http-port", flags.http_port));
  RETURN_IF_ERROR(CheckPort("--grpc-port", flags.grpc_port));
  RETURN_IF_ERROR(CheckPort("--metrics-port", flags.metrics_port));
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

  CLI::App app{"inferd: an inference server that serves Triton model repositories over the KServe v2 protocol.",
               "inferd"};
  app.add_option("--model-repository", flags.model_repositories,
                 "Model repository folder to serve; repeat the flag for several (required)")
      ->type_name("PATH");
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
  app.add_option("--grpc-port", flags.grpc_port, "Reserved: accepted for tritonserver compatibility; gRPC is not served yet")
      ->capture_default_str();
  app.add_option("--metrics-port", flags.metrics_port,
                 "Reserved: accepted for tritonserver compatibility; metrics are not served yet")
      ->capture_default_str();
  AddBoolFlag(app, bool_flags, "--exit-on-error", &flags.exit_on_error,
              "Exit at start-up when any model fails to load (false: serve the models that loaded)");
  AddBoolFlag(app, bool_flags, "--strict-readiness", &flags.strict_readiness,
              "Report the server ready only when every model is ready (false: as soon as it is live)");
  AddBoolFlag(app, bool_flags, "--strict-model-config", &flags.strict_model_config,
              "Require complete config.pbtxt files (false: fill missing fields from the model file)");
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
  flags.http_thread_count = thread_count.value_or(std::max(2, static_cast<int>(std::thread::hardware_concurrency())));
  if (flags.backend_directory.empty()) {
    const std::string executable_directory = ExecutableDirectory();
    flags.backend_directory = executable_directory.empty() ? "backends" : executable_directory + "/backends";
  }
  RETURN_IF_ERROR(Validate(flags));
  return parsed;
}

}  // namespace inferd::app
