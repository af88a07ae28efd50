#include "frontend/grpc/grpc_status.h"

#include <fmt/format.h>

#include "common/bounded_text.h"

namespace inferd::grpc_frontend {

grpc::StatusCode ToGrpcStatusCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case StatusCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kResourceExhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case StatusCode::kDeadlineExceeded: return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kCancelled: return grpc::StatusCode::CANCELLED;
    case StatusCode::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case StatusCode::kUnimplemented: return grpc::StatusCode::UNIMPLEMENTED;
    case StatusCode::kUnsupported: return grpc::StatusCode::UNIMPLEMENTED;
    case StatusCode::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::UNKNOWN;
}

std::string BoundGrpcMessage(std::string_view message) {
  // grpc-message travels percent-encoded: every byte outside printable
  // ASCII (and '%' itself) takes three. Cut where the encoded form would
  // pass the bound, at a character boundary.
  size_t encoded = 0;
  size_t keep = 0;
  while (keep < message.size()) {
    const unsigned char byte = static_cast<unsigned char>(message[keep]);
    const size_t cost = (byte < 0x20 || byte > 0x7E || byte == '%') ? 3 : 1;
    if (encoded + cost > kMaxMessageBytes - 32) break;
    encoded += cost;
    ++keep;
  }
  if (keep == message.size()) return std::string(message);
  keep = Utf8PrefixLength(message, keep);
  return fmt::format("{}...(message cut, {} bytes)", message.substr(0, keep), message.size());
}

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcStatusCode(status.code()), BoundGrpcMessage(status.message()));
}

}  // namespace inferd::grpc_frontend
