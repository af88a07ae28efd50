// libFuzzer target: arbitrary bytes as a serialized ModelInferRequest (what
// gRPC hands the server), through the decoder that turns it into an
// InferenceRequest: typed contents, raw contents, shapes, parameters.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "grpc_service.pb.h"
#include "protocol/grpc_infer_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = std::make_shared<inference::ModelInferRequest>();
  if (!message->ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)inferd::protocol::DecodeGrpcInferRequest(*message, /*model_version=*/-1, message);
  return 0;
}
