// Checks of the scheduling choice of a model configuration: dynamic batching,
// sequence batching and ensemble scheduling. Internal to src/config
// (normalize.cc), run after defaults are filled.
#pragma once

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

Status ValidateDynamicBatching(const inference::ModelConfig& config);
Status ValidateSequenceBatching(const inference::ModelConfig& config);
// Only the structure for now: an ensemble has steps and each names a model.
// Data-flow checks between steps belong to the ensemble scheduler.
Status ValidateEnsembleScheduling(const inference::ModelConfig& config);

}  // namespace inferd::config
