// The JSON rendering of a model configuration served by
// GET /v2/models/{model}/config, matching Triton's.
//
// This is protobuf's JSON mapping with the proto field names (snake_case),
// every primitive field printed (defaults included) and enums by name, with
// one fix-up Triton also makes: 64-bit integers (dims, versions, queue
// delays) are JSON numbers, not the strings protobuf prints. Map keys stay
// strings, as JSON requires. The result parses back with
// google::protobuf::util::JsonStringToMessage.
#pragma once

#include <string>

#include "model_config.pb.h"

namespace inferd::config {

std::string ModelConfigToJson(const inference::ModelConfig& config);

}  // namespace inferd::config
