// inferd: parse flags, load the model repositories, serve HTTP until SIGINT
// or SIGTERM, then stop in order (listener, connections, server).
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "app/flags.h"
#include "common/logging.h"
#include "core/server.h"
#include "frontend/http/http_routes.h"
#include "frontend/http/http_server.h"

namespace {

using inferd::app::Flags;

inferd::ServerOptions ToServerOptions(const Flags& flags) {
  inferd::ServerOptions options;
  options.model_repositories = flags.model_repositories;
  options.exit_on_error = flags.exit_on_error;
  options.strict_readiness = flags.strict_readiness;
  options.strict_model_config = flags.strict_model_config;
  options.backend_directory = flags.backend_directory;
  return options;
}

inferd::http::HttpServerOptions ToHttpOptions(const Flags& flags) {
  inferd::http::HttpServerOptions options;
  options.address = flags.http_address;
  options.port = static_cast<uint16_t>(flags.http_port);
  options.thread_count = flags.http_thread_count;
  options.limits.max_input_size = static_cast<size_t>(flags.http_max_input_size);
  return options;
}

int Run(const Flags& flags) {
  inferd::InitLogging(flags.log_verbose);
  inferd::LogInfo("inferd {} starting; model repositories: {}", inferd::Server::Version(),
                  fmt::join(flags.model_repositories, ", "));

  inferd::Result<std::unique_ptr<inferd::Server>> created = inferd::Server::Create(ToServerOptions(flags));
  if (!created.ok()) {
    inferd::LogError("inferd cannot start: {}", created.status().message());
    return 1;
  }
  std::unique_ptr<inferd::Server> server = std::move(created).value();

  // Set up before any service starts, so a signal sent as soon as the
  // "Started" line appears is already ours (not the default: terminate).
  boost::asio::io_context signal_context(1);
  boost::asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  int received_signal = 0;
  signals.async_wait([&received_signal](const boost::system::error_code& ec, int signal_number) {
    if (!ec) received_signal = signal_number;
  });

  std::unique_ptr<inferd::http::HttpServer> http;
  if (flags.allow_http) {
    auto routes = std::make_shared<inferd::http::HttpRoutes>(server.get(),
                                                             static_cast<size_t>(flags.http_max_input_size));
    inferd::Result<std::unique_ptr<inferd::http::HttpServer>> started =
        inferd::http::HttpServer::Start(std::move(routes), ToHttpOptions(flags));
    if (!started.ok()) {
      inferd::LogError("inferd cannot start the HTTP service: {}", started.status().message());
      server->Stop();
      return 1;
    }
    http = std::move(started).value();
    inferd::LogInfo("Started HTTPService at {}:{}", flags.http_address, http->port());
  } else {
    inferd::LogWarning("HTTP is disabled (--allow-http=false) and no other service exists yet: nothing is served");
  }
  inferd::LogInfo("gRPC is not served yet (--grpc-port {} is reserved)", flags.grpc_port);
  inferd::LogInfo("metrics are not served yet (--metrics-port {} is reserved)", flags.metrics_port);

  signal_context.run();  // until SIGINT or SIGTERM
  inferd::LogInfo("received {}; shutting down", received_signal == SIGINT ? "SIGINT" : "SIGTERM");

  // Stop taking requests first, let those in progress finish, then stop the
  // server (which finishes what is queued). The HTTP server is destroyed
  // only after that, since late responses are posted to its io context.
  if (http) http->Stop();
  server->Stop();
  http.reset();
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
