#include "frontend/grpc/grpc_server.h"

#include <grpcpp/server.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>

#include <utility>

#include <fmt/format.h>

#include "frontend/grpc/grpc_service.h"

namespace inferd::grpc_frontend {

std::string GrpcListenAddress(const std::string& address, int port) {
  const bool ipv6_literal = address.find(':') != std::string::npos && address.front() != '[';
  return ipv6_literal ? fmt::format("[{}]:{}", address, port) : fmt::format("{}:{}", address, port);
}

Result<grpc_compression_level> ParseCompressionLevel(const std::string& text) {
  if (text == "none") return GRPC_COMPRESS_LEVEL_NONE;
  if (text == "low") return GRPC_COMPRESS_LEVEL_LOW;
  if (text == "medium") return GRPC_COMPRESS_LEVEL_MED;
  if (text == "high") return GRPC_COMPRESS_LEVEL_HIGH;
  return Status::InvalidArgument(fmt::format(
      "--grpc-infer-response-compression-level must be none, low, medium or high, got '{}'", text));
}

Result<std::unique_ptr<GrpcServer>> GrpcServer::Start(Server* server, const GrpcServerOptions& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, MakeServerCredentials(options.tls));

  auto service = std::make_unique<GrpcInferenceService>(server, options.response_compression,
                                                        options.infer_allocation_pool_size, options.restricted);
  const std::string address = GrpcListenAddress(options.address, options.port);
  int bound_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, credentials, &bound_port);
  builder.RegisterService(service.get());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_size);
  builder.SetMaxSendMessageSize(options.max_send_message_size);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  // gRPC checks the receive limit only once a message is whole, and grants
  // the flow-control window a message's length prefix asks for, so a 1 GiB
  // message would be buffered whole before being refused. Its memory quota
  // bounds what the transport buffers: past it, gRPC resets a stream that
  // is over it (RESOURCE_EXHAUSTED). Twice the largest message leaves
  // room for several large requests in flight at once.
  grpc::ResourceQuota transport_quota("inferd-grpc-transport");
  transport_quota.Resize(2 * static_cast<size_t>(options.max_receive_message_size));
  builder.SetResourceQuota(transport_quota);
  // gRPC turns SO_REUSEPORT on by default, which would let a second server
  // silently share the port; tritonserver turns it off unless asked.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, options.reuse_port ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, options.keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options.keepalive_timeout_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, options.keepalive_permit_without_calls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, options.http2_max_pings_without_data);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             options.http2_min_recv_ping_interval_without_data_ms);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, options.http2_max_ping_strikes);
  if (options.max_connection_age_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, options.max_connection_age_ms);
  }
  if (options.max_connection_age_grace_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, options.max_connection_age_grace_ms);
  }

  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || bound_port == 0) {
    if (grpc_server != nullptr) grpc_server->Shutdown();
    return Status::Unavailable(fmt::format(
        "cannot listen for gRPC on {} (the port is in use, the address is not local, or the TLS certificate or key "
        "is invalid)",
        address));
  }
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(service), std::move(grpc_server), bound_port));
}

GrpcServer::GrpcServer(std::unique_ptr<GrpcInferenceService> service, std::unique_ptr<grpc::Server> server, int port)
    : service_(std::move(service)), server_(std::move(server)), port_(port) {}

GrpcServer::~GrpcServer() { Stop(); }

void GrpcServer::Stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  service_->StopStreams();
  // Refuses new calls at once; calls in progress get `grace` to finish
  // before gRPC cancels them. Returns when every call is done.
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace inferd::grpc_frontend
