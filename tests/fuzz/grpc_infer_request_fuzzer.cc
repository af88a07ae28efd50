// libFuzzer target: arbitrary bytes as a serialized ModelInferRequest (what
// gRPC hands the server), through the decoder that turns it into an
// InferenceRequest (typed contents, raw contents, shapes, parameters), then
// through the request validator, which checks what the decoder passes on.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/request_validator.h"
#include "fuzz_model_config.h"
#include "grpc_service.pb.h"
#include "protocol/grpc_infer_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = std::make_shared<inference::ModelInferRequest>();
  if (!message->ParseFromArray(data, static_cast<int>(size))) return 0;
  auto decoded = inferd::protocol::DecodeGrpcInferRequest(*message, /*model_version=*/-1, message);
  if (decoded.ok()) (void)inferd::ValidateInferenceRequest(*decoded, inferd::fuzz::Config());
  return 0;
}
