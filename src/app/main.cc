// inferd: parse flags, load the model repositories, serve HTTP and gRPC
// until SIGINT or SIGTERM, then stop in order (listeners, calls in progress,
// server).
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/flags.h"
#include "common/logging.h"
#include "common/memory_trimmer.h"
#include "core/server.h"
#include "frontend/grpc/grpc_server.h"
#include "frontend/http/http_routes.h"
#include "frontend/http/http_server.h"
#include "frontend/metrics/metrics_service.h"

namespace {

using inferd::app::Flags;

// Checked by ParseFlags already; parsing again cannot fail.
inferd::RestrictedApis HttpRestrictions(const Flags& flags) {
  return inferd::RestrictedApis::Parse(flags.http_restricted_api, "--http-restricted-api").value();
}
inferd::RestrictedApis GrpcRestrictions(const Flags& flags) {
  return inferd::RestrictedApis::Parse(flags.grpc_restricted_protocol, "--grpc-restricted-protocol").value();
}

inferd::ServerOptions ToServerOptions(const Flags& flags) {
  inferd::ServerOptions options;
  options.model_repositories = flags.model_repositories;
  options.exit_on_error = flags.exit_on_error;
  options.strict_readiness = flags.strict_readiness;
  options.strict_model_config = flags.strict_model_config;
  options.backend_directory = flags.backend_directory;
  options.server_id = flags.server_id;
  options.model_config_name = flags.model_config_name;
  options.allow_unsupported_config_fields = flags.allow_unsupported_config_fields;
  std::string mode = flags.model_control_mode;
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
  using Mode = inferd::ServerOptions::ModelControlMode;
  options.model_control_mode = mode == "poll" ? Mode::kPoll : mode == "explicit" ? Mode::kExplicit : Mode::kNone;
  // tritonserver polls only when the interval is positive.
  if (options.model_control_mode == Mode::kPoll && flags.repository_poll_secs == 0) options.model_control_mode = Mode::kNone;
  options.repository_poll_interval = std::chrono::seconds(flags.repository_poll_secs);
  options.startup_models = flags.load_models;
  options.model_load_threads = flags.model_load_thread_count;
  // An upload is code the server will run: accepted when asked for, or when
  // every protocol served lets only holders of a key call model control.
  const bool http_guarded = !flags.allow_http || HttpRestrictions(flags).Restricts(inferd::ApiCategory::kModelRepository);
  const bool grpc_guarded = !flags.allow_grpc || GrpcRestrictions(flags).Restricts(inferd::ApiCategory::kModelRepository);
  options.allow_model_upload = flags.allow_model_upload || (http_guarded && grpc_guarded);
  return options;
}

inferd::http::HttpServerOptions ToHttpOptions(const Flags& flags) {
  inferd::http::HttpServerOptions options;
  options.address = flags.http_address;
  options.port = static_cast<uint16_t>(flags.http_port);
  options.thread_count = flags.http_thread_count;
  options.reuse_port = flags.reuse_http_port;
  options.limits.max_input_size = static_cast<size_t>(flags.http_max_input_size);
  options.max_connections = static_cast<size_t>(flags.http_max_connections);
  options.limits.header_timeout = std::chrono::seconds(flags.http_header_timeout_secs);
  options.limits.idle_timeout = std::chrono::seconds(flags.http_keepalive_timeout_secs);
  return options;
}

inferd::Result<inferd::grpc_frontend::GrpcServerOptions> ToGrpcOptions(const Flags& flags) {
  inferd::grpc_frontend::GrpcServerOptions options;
  options.address = flags.grpc_address;
  options.restricted = GrpcRestrictions(flags);
  options.port = static_cast<uint16_t>(flags.grpc_port);
  options.reuse_port = flags.reuse_grpc_port;
  options.max_connection_age_ms = flags.grpc_max_connection_age_ms;
  options.max_connection_age_grace_ms = flags.grpc_max_connection_age_grace_ms;
  options.infer_allocation_pool_size = static_cast<size_t>(flags.grpc_infer_allocation_pool_size);
  // As large a message as HTTP takes, unless told otherwise.
  options.max_receive_message_size =
      static_cast<int>(flags.grpc_max_input_size > 0 ? flags.grpc_max_input_size
                                                     : std::min<int64_t>(flags.http_max_input_size, INT_MAX));
  options.max_concurrent_streams = flags.grpc_max_concurrent_streams;
  ASSIGN_OR_RETURN(options.response_compression,
                   inferd::grpc_frontend::ParseCompressionLevel(flags.grpc_infer_response_compression_level));
  options.keepalive_time_ms = flags.grpc_keepalive_time;
  options.keepalive_timeout_ms = flags.grpc_keepalive_timeout;
  options.keepalive_permit_without_calls = flags.grpc_keepalive_permit_without_calls;
  options.http2_max_pings_without_data = flags.grpc_http2_max_pings_without_data;
  options.http2_min_recv_ping_interval_without_data_ms = flags.grpc_http2_min_recv_ping_interval_without_data;
  options.http2_max_ping_strikes = flags.grpc_http2_max_ping_strikes;
  options.tls.use_ssl = flags.grpc_use_ssl;
  options.tls.use_ssl_mutual = flags.grpc_use_ssl_mutual;
  options.tls.server_cert = flags.grpc_server_cert;
  options.tls.server_key = flags.grpc_server_key;
  options.tls.root_cert = flags.grpc_root_cert;
  return options;
}

int Run(const Flags& flags) {
  inferd::InitLogging(flags.log_verbose);
  inferd::LogInfo("inferd {} starting; model repositories: {}", inferd::Server::Version(),
                  fmt::join(flags.model_repositories, ", "));
  for (const std::string& warning : flags.ignored_flag_warnings) inferd::LogWarning("{}", warning);

  inferd::Result<std::unique_ptr<inferd::Server>> created = inferd::Server::Create(ToServerOptions(flags));
  if (!created.ok()) {
    inferd::LogError("inferd cannot start: {}", created.status().message());
    return 1;
  }
  std::unique_ptr<inferd::Server> server = std::move(created).value();
  // Gives the memory of large requests back once a burst is over.
  inferd::MemoryTrimmer memory_trimmer;

  // Set up before any service starts, so a signal sent as soon as the
  // "Started" line appears is already ours (not the default: terminate).
  boost::asio::io_context signal_context(1);
  boost::asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  int received_signal = 0;
  signals.async_wait([&received_signal](const boost::system::error_code& ec, int signal_number) {
    if (!ec) received_signal = signal_number;
  });

  // Metrics first, so it already answers once HTTP reports the server live.
  std::unique_ptr<inferd::metrics::MetricsService> metrics;
  if (flags.allow_metrics) {
    inferd::metrics::MetricsServiceOptions metrics_options;
    metrics_options.address = flags.metrics_address;
    metrics_options.port = static_cast<uint16_t>(flags.metrics_port);
    metrics_options.cpu_metrics = flags.allow_cpu_metrics;
    inferd::Result<std::unique_ptr<inferd::metrics::MetricsService>> started =
        inferd::metrics::MetricsService::Start(server.get(), metrics_options);
    if (!started.ok()) {
      inferd::LogError("inferd cannot start the metrics service: {}", started.status().message());
      server->Stop();
      return 1;
    }
    metrics = std::move(started).value();
    inferd::LogInfo("Started Metrics Service at {}:{}", flags.metrics_address, metrics->port());
  }

  std::unique_ptr<inferd::http::HttpServer> http;
  if (flags.allow_http) {
    auto routes = std::make_shared<inferd::http::HttpRoutes>(
        server.get(), static_cast<size_t>(flags.http_max_input_size), HttpRestrictions(flags));
    inferd::Result<std::unique_ptr<inferd::http::HttpServer>> started =
        inferd::http::HttpServer::Start(std::move(routes), ToHttpOptions(flags));
    if (!started.ok()) {
      inferd::LogError("inferd cannot start the HTTP service: {}", started.status().message());
      server->Stop();
      return 1;
    }
    http = std::move(started).value();
    inferd::LogInfo("Started HTTPService at {}:{}", flags.http_address, http->port());
    inferd::LogVerbose("HTTP: at most {} connections", http->max_connections());
  } else {
    inferd::LogInfo("HTTP is disabled (--allow-http=false)");
  }
  std::unique_ptr<inferd::grpc_frontend::GrpcServer> grpc;
  if (flags.allow_grpc) {
    inferd::Result<inferd::grpc_frontend::GrpcServerOptions> grpc_options = ToGrpcOptions(flags);
    inferd::Result<std::unique_ptr<inferd::grpc_frontend::GrpcServer>> started =
        grpc_options.ok() ? inferd::grpc_frontend::GrpcServer::Start(server.get(), *grpc_options)
                          : inferd::Result<std::unique_ptr<inferd::grpc_frontend::GrpcServer>>(grpc_options.status());
    if (!started.ok()) {
      inferd::LogError("inferd cannot start the gRPC service: {}", started.status().message());
      if (http) http->Stop();
      if (metrics) metrics->Stop();
      server->Stop();
      return 1;
    }
    grpc = std::move(started).value();
    inferd::LogInfo("Started GRPCInferenceService at {}:{}", flags.grpc_address, grpc->port());
  } else if (!flags.allow_http) {
    inferd::LogWarning("neither HTTP nor gRPC is served (--allow-http=false, --allow-grpc=false): no inference "
                       "request can reach inferd");
  }

  signal_context.run();  // until SIGINT or SIGTERM
  inferd::LogInfo("received {}; shutting down", received_signal == SIGINT ? "SIGINT" : "SIGTERM");

  // Stop taking requests first, let those in progress finish within
  // --exit-timeout-secs (HTTP and gRPC drain at the same time), then stop
  // the server (which finishes what is queued). The HTTP server is destroyed
  // only after that, since late responses are posted to its io context.
  const std::chrono::milliseconds grace = std::chrono::seconds(flags.exit_timeout_secs);
  std::thread http_drain;
  if (http) http_drain = std::thread([&http, grace] { http->Stop(grace); });
  if (grpc) grpc->Stop(grace);  // returns once every gRPC call in progress is done, or at the deadline
  if (http_drain.joinable()) http_drain.join();
  if (metrics) metrics->Stop();  // scrapes read the server's statistics
  server->Stop();
  http.reset();
  metrics.reset();
  server.reset();
  inferd::LogInfo("inferd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  inferd::Result<inferd::app::ParsedFlags> parsed = inferd::app::ParseFlags(args);
  if (!parsed.ok()) {
    fmt::print(stderr, "inferd: {}\nRun 'inferd --help' to see every flag.\n", parsed.status().message());
    return 1;
  }
  switch (parsed->action) {
    case inferd::app::FlagsAction::kPrintHelp: fmt::print("{}", parsed->text); return 0;
    case inferd::app::FlagsAction::kPrintVersion: fmt::print("inferd {}\n", inferd::Server::Version()); return 0;
    case inferd::app::FlagsAction::kRun: break;
  }
  return Run(parsed->flags);
}
