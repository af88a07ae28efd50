// libFuzzer target: arbitrary bytes as a KServe v2 HTTP inference body.
// The first byte picks whether an Inference-Header-Content-Length is sent and
// how long it claims the JSON header is; the rest is the body. Whatever is
// decoded is validated against a small batched model and encoded back, so
// the request decoder, the validator and the response encoder all see it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/request_validator.h"
#include "protocol/http_infer_request.h"
#include "protocol/http_infer_response.h"

namespace {

const inference::ModelConfig& Config() {
  static const inference::ModelConfig config = [] {
    inference::ModelConfig c;
    c.set_name("fuzz");
    c.set_max_batch_size(8);
    for (const char* name : {"INPUT0", "INPUT1"}) {
      auto* input = c.add_input();
      input->set_name(name);
      input->set_data_type(inference::TYPE_INT32);
      input->add_dims(-1);
    }
    auto* text = c.add_input();
    text->set_name("TEXT");
    text->set_data_type(inference::TYPE_STRING);
    text->add_dims(2);
    text->set_optional(true);
    auto* output = c.add_output();
    output->set_name("OUTPUT0");
    output->set_data_type(inference::TYPE_INT32);
    output->add_dims(-1);
    return c;
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<size_t> header_length;
  if (mode & 0x80) header_length = (mode & 0x7f) <= body->size() ? body->size() - (mode & 0x7f) : body->size() + 1;

  auto decoded = inferd::protocol::DecodeHttpInferRequest("fuzz", -1, body, header_length);
  if (!decoded.ok()) return 0;
  auto batch = inferd::ValidateInferenceRequest(decoded->request, Config());
  (void)batch;
  // Echo the inputs as outputs: exercises JSON and binary encoding of
  // whatever tensor shapes and bytes the decoder accepted.
  inferd::InferenceResponse response;
  response.model_name = "fuzz";
  response.model_version = 1;
  response.id = decoded->request.id;
  response.outputs = decoded->request.inputs;
  auto encoded = inferd::protocol::EncodeHttpInferResponse(response, *decoded);
  (void)encoded;
  return 0;
}
