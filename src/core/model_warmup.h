// Model warm-up (the config's model_warmup): each sample is run through a
// freshly loaded version, `count` times, before the version serves; a
// sample that fails fails the load, as in Triton.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "core/model.h"

namespace inferd {

// Reads a sample's input_data_file (a name inside the model's warmup/
// folder, confined to the model folder by the caller).
using WarmupFileReader = std::function<Result<std::string>(const std::string& name)>;

// Runs every sample of model.config().model_warmup, then resets the
// version's statistics (warm-up runs are not traffic). INVALID_ARGUMENT
// "failed to run warmup sample '<name>': ..." on the first failure.
Status WarmUp(Model& model, const WarmupFileReader& read_file);

}  // namespace inferd
