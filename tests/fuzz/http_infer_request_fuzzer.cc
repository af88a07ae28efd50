// libFuzzer target: arbitrary bytes as a KServe v2 HTTP inference body.
// The first byte picks whether an Inference-Header-Content-Length is sent and
// how long it claims the JSON header is, or (0x40 set, 0x80 clear) a raw
// binary request ("Inference-Header-Content-Length: 0") for a one-input model
// whose datatype, dims and batching the low bits pick; the rest is the body. Whatever is
// decoded is validated against a small batched model and encoded back, so
// the request decoder, the validator and the response encoder all see it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/request_validator.h"
#include "fuzz_model_config.h"
#include "protocol/http_infer_request.h"
#include "protocol/http_infer_response.h"
#include "protocol/http_raw_request.h"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<size_t> header_length;
  if (mode & 0x80) header_length = (mode & 0x7f) <= body->size() ? body->size() - (mode & 0x7f) : body->size() + 1;

  auto decoded = [&]() -> inferd::Result<inferd::protocol::HttpInferRequest> {
    if ((mode & 0xc0) != 0x40) return inferd::protocol::DecodeHttpInferRequest("fuzz", -1, body, header_length);
    constexpr inferd::DataType kTypes[] = {inferd::DataType::kInt32, inferd::DataType::kFp16,
                                           inferd::DataType::kBytes, inferd::DataType::kBool};
    inferd::protocol::RawInputSpec spec;
    spec.config_input_count = (mode & 0x08) ? 2 : 1;
    spec.name = "INPUT0";
    spec.datatype = kTypes[mode & 0x03];
    spec.dims = (mode & 0x10) ? inferd::Shape{3, -1} : ((mode & 0x04) ? inferd::Shape{-1, -1} : inferd::Shape{1});
    spec.batched = (mode & 0x20) != 0;
    return inferd::protocol::DecodeRawBinaryRequest("fuzz", -1, spec, body);
  }();
  if (!decoded.ok()) return 0;
  auto batch = inferd::ValidateInferenceRequest(decoded->request, inferd::fuzz::Config());
  // The encoders take tensors whose bytes fit their shapes (what backends
  // return); decoded inputs are that once the validator has passed them.
  if (!batch.ok()) return 0;
  // Echo the inputs as outputs: exercises JSON and binary encoding of
  // every tensor shape and byte content the validator lets through.
  inferd::InferenceResponse response;
  response.model_name = "fuzz";
  response.model_version = 1;
  response.id = decoded->request.id;
  response.outputs = decoded->request.inputs;
  auto encoded = inferd::protocol::EncodeHttpInferResponse(response, *decoded);
  (void)encoded;
  return 0;
}
