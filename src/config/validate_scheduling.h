// Checks of the scheduling choice of a model configuration: dynamic batching,
// sequence batching and ensemble scheduling. Internal to src/config
// (normalize.cc), run after defaults are filled.
#pragma once

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

Status ValidateDynamicBatching(const inference::ModelConfig& config);
Status ValidateSequenceBatching(const inference::ModelConfig& config);
// Only what the config alone shows: an ensemble has steps, each names a
// model, and it sets none of the per-instance sections. The data-flow and
// composing-model checks run at load time (src/scheduler/ensemble_graph.h),
// when the composing models' configs are known.
Status ValidateEnsembleScheduling(const inference::ModelConfig& config);

}  // namespace inferd::config
