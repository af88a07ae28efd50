// Config fields that parse (Triton accepts them) but that inferd does not act
// on yet. The model still loads; the caller logs one warning per field so a
// user migrating from Triton knows which settings are being ignored.
#pragma once

#include <string>
#include <vector>

#include "model_config.pb.h"

namespace inferd::config {

// Dotted field names (e.g. "sequence_batching", "optimization.cuda")
// set in `config` but not implemented, in a stable order. Only fields that
// change behaviour when set are listed: values Normalize fills in by default
// (pinned memory, default preferred_batch_size) never appear.
std::vector<std::string> UnimplementedFields(const inference::ModelConfig& config);

}  // namespace inferd::config
