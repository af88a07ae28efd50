// inferd Status -> grpc::Status, the one place the gRPC frontend turns core
// errors into wire codes (the HTTP twin is http_status.h). The message is
// passed through unchanged (only cut when too long), so both protocols
// report the same text.
#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd::grpc_frontend {

// Mirrors ToHttpStatus: INVALID_ARGUMENT (400), NOT_FOUND (404),
// UNAVAILABLE (503), RESOURCE_EXHAUSTED (429), UNIMPLEMENTED (501),
// INTERNAL (500). A queue timeout is UNAVAILABLE, as in tritonserver (and as
// HTTP's 503): DEADLINE_EXCEEDED would read as the client's own deadline.
grpc::StatusCode ToGrpcStatusCode(StatusCode code);
grpc::Status ToGrpcStatus(const Status& status);
// `message` cut so that its percent-encoded form (as grpc-message carries
// it) stays under kMaxMessageBytes.
std::string BoundGrpcMessage(std::string_view message);

}  // namespace inferd::grpc_frontend
