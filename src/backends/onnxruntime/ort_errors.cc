#include "backends/onnxruntime/ort_errors.h"

#include <fmt/format.h>

namespace inferd::ort {
namespace {

StatusCode CodeForOrtError(OrtErrorCode code) {
  switch (code) {
    case ORT_INVALID_ARGUMENT:
    case ORT_INVALID_PROTOBUF:
    case ORT_INVALID_GRAPH:
    case ORT_NO_MODEL:
      return StatusCode::kInvalidArgument;
    case ORT_NO_SUCHFILE:
      return StatusCode::kNotFound;
    case ORT_NOT_IMPLEMENTED:
      return StatusCode::kUnimplemented;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

Status StatusFromOrtException(const Ort::Exception& error, std::string_view subject, std::string_view action) {
  return Status(CodeForOrtError(error.GetOrtErrorCode()),
                fmt::format("{}: {}: {}", subject, action, error.what()));
}

Status StatusFromException(const char* what, std::string_view subject, std::string_view action) {
  return Status::Internal(fmt::format("{}: {}: {}", subject, action, what));
}

}  // namespace inferd::ort
