// The gRPC listener: builds a grpc::Server around GrpcInferenceService with
// tritonserver's options (keepalive, message size, TLS, compression).
#pragma once

#include <grpc/compression.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "frontend/grpc/grpc_credentials.h"
#include "frontend/restricted/restricted_api.h"

namespace grpc {
class Server;
}

namespace inferd {
class Server;
}

namespace inferd::grpc_frontend {

class GrpcInferenceService;

struct GrpcServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8001;  // 0: an ephemeral port, see GrpcServer::port()
  bool reuse_port = false;
  int max_connection_age_ms = 0;        // 0: no limit
  int max_connection_age_grace_ms = 0;  // 0: gRPC's default
  size_t infer_allocation_pool_size = 8;  // ModelInfer message pairs kept for reuse
  grpc_compression_level response_compression = GRPC_COMPRESS_LEVEL_NONE;
  // Keepalive channel arguments, tritonserver's defaults (milliseconds).
  int keepalive_time_ms = 7'200'000;
  int keepalive_timeout_ms = 20'000;
  bool keepalive_permit_without_calls = false;
  int http2_max_pings_without_data = 2;
  int http2_min_recv_ping_interval_without_data_ms = 300'000;
  int http2_max_ping_strikes = 2;
  // Largest message received: a larger one is refused (RESOURCE_EXHAUSTED).
  // The transport's memory quota is twice this (see grpc_server.cc), so a
  // far larger message is cut off before it is buffered whole.
  int max_receive_message_size = 64 << 20;
  // Largest response sent; tritonserver and tritonclient use INT32_MAX.
  int max_send_message_size = INT_MAX;
  int max_concurrent_streams = 128;  // calls in flight per connection
  GrpcTlsOptions tls;
  RestrictedApis restricted;  // --grpc-restricted-protocol
};

class GrpcServer {
 public:
  // Listens and serves `server` (which must outlive this object) until
  // Stop(). UNAVAILABLE when the address cannot be bound, INVALID_ARGUMENT
  // for bad TLS files.
  static Result<std::unique_ptr<GrpcServer>> Start(Server* server, const GrpcServerOptions& options);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  int port() const { return port_; }

  // Stops taking calls, lets the calls in progress finish for up to `grace`,
  // cancels what is left, and returns once every call is done. Open streams
  // end as soon as their requests are answered (UNAVAILABLE). Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  GrpcServer(std::unique_ptr<GrpcInferenceService> service, std::unique_ptr<grpc::Server> server, int port);

  std::unique_ptr<GrpcInferenceService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool stopped_ = false;
};

// "host:port" for gRPC, with IPv6 literals in brackets ("[::]:8001").
std::string GrpcListenAddress(const std::string& address, int port);

// "none" | "low" | "medium" | "high" -> the gRPC level; INVALID_ARGUMENT
// otherwise (tritonserver's --grpc-infer-response-compression-level values).
Result<grpc_compression_level> ParseCompressionLevel(const std::string& text);

}  // namespace inferd::grpc_frontend
