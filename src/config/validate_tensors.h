// Checks of the input and output sections of a model configuration: names,
// data types, dims and reshape. Internal to src/config (normalize.cc).
#pragma once

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

// Every input and output has a non-empty name unique within its section, a
// valid data_type, non-empty dims of values >= 1 or -1, and a reshape (if
// any) with the same number of elements as dims. Follows Triton's rules.
Status ValidateTensors(const inference::ModelConfig& config);

}  // namespace inferd::config
