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
#include <string_view>

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

std::string ModelConfigToJson(const inference::ModelConfig& config);

// A config given as JSON (a load request's "config" parameter), with
// protobuf's JSON mapping as Triton reads it: proto or camelCase field
// names, 64-bit integers as numbers or strings, enums by name. Unknown
// fields are an error, as in Triton. INVALID_ARGUMENT naming what is wrong.
Result<inference::ModelConfig> ModelConfigFromJson(std::string_view json);

}  // namespace inferd::config
