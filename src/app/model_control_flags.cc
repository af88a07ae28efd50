#include "app/model_control_flags.h"

#include <algorithm>

#include <fmt/format.h>

#include "frontend/restricted/restricted_api.h"

namespace inferd::app {

void AddModelControlFlags(CLI::App& app, Flags& flags) {
  app.add_option("--model-control-mode", flags.model_control_mode,
                 "none: load every model at start, refuse load/unload requests; poll: the same, then rescan the "
                 "repositories every --repository-poll-secs and reload what changed (new versions serve before the "
                 "old ones stop); explicit: load only --load-model models, then what load/unload requests ask for")
      ->capture_default_str()
      ->type_name("MODE");
  app.add_option("--repository-poll-secs", flags.repository_poll_secs,
                 "Poll mode: seconds between two scans of the model repositories (0: none after the start)")
      ->capture_default_str();
  app.add_option("--load-model", flags.load_models,
                 "Explicit mode: a model to load at start; repeat the flag for several, or give '*' alone for all")
      ->type_name("NAME");
  app.add_option("--model-load-thread-count", flags.model_load_thread_count,
                 "Threads that load models (in parallel, off the HTTP and gRPC threads)")
      ->capture_default_str();
  app.add_option("--http-restricted-api", flags.http_restricted_api,
                 "<api>[,<api>...]:<key>=<value>: HTTP requests to those endpoint groups (health, metadata, "
                 "inference, shared-memory, model-config, model-repository, statistics, trace, logging) need "
                 "header <key> with <value>, else 403; repeat the flag for groups with other keys")
      ->type_name("RESTRICTION");
  app.add_option("--grpc-restricted-protocol", flags.grpc_restricted_protocol,
                 "<protocol>[,<protocol>...]:<key>=<value>: the same for gRPC calls, which need metadata "
                 "'triton-grpc-protocol-<key>' with <value>, else UNAVAILABLE")
      ->type_name("RESTRICTION");
}

Status ValidateModelControlFlags(const Flags& flags) {
  std::string mode = flags.model_control_mode;
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
  if (mode != "none" && mode != "poll" && mode != "explicit") {
    return Status::InvalidArgument(
        fmt::format("invalid argument for --model-control-mode: '{}' (expected none, poll or explicit)", mode));
  }
  if (!flags.load_models.empty() && mode != "explicit") {
    // tritonserver's words.
    return Status::InvalidArgument(
        "Use of '--load-model' requires setting '--model-control-mode=explicit' as well.");
  }
  const bool wildcard = std::find(flags.load_models.begin(), flags.load_models.end(), "*") != flags.load_models.end();
  if (wildcard && flags.load_models.size() > 1) {
    return Status::InvalidArgument("Wildcard model name '*' must be the ONLY startup model if specified at all.");
  }
  if (flags.repository_poll_secs < 0) {
    return Status::InvalidArgument(
        fmt::format("--repository-poll-secs must be 0 (never) or more, got {}", flags.repository_poll_secs));
  }
  if (flags.model_load_thread_count < 1) {
    return Status::InvalidArgument(
        fmt::format("--model-load-thread-count must be at least 1, got {}", flags.model_load_thread_count));
  }
  RETURN_IF_ERROR(RestrictedApis::Parse(flags.http_restricted_api, "--http-restricted-api").status());
  RETURN_IF_ERROR(RestrictedApis::Parse(flags.grpc_restricted_protocol, "--grpc-restricted-protocol").status());
  return Status::Ok();
}

}  // namespace inferd::app
