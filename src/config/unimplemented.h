// Config fields that parse (Triton accepts them) but that inferd does not act
// on yet, in two kinds:
//   - fields whose absence changes what a model computes or answers
//     (sequence batching, decoupled responses, batch inputs, ...): a model
//     that sets one is UNAVAILABLE with the reason, unless the operator asks
//     to serve it anyway (--allow-unsupported-config-fields);
//   - fields that only tune speed or bookkeeping (warm-up, priorities, rate
//     limits, ...): the model loads and the loader logs one warning per field
//     and notes it in the repository index.
// A model is never READY while behaving differently from what its config says
// without saying so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model_config.pb.h"

namespace inferd::config {

struct UnimplementedField {
  std::string name;           // dotted, e.g. "sequence_batching", "optimization.cuda"
  bool changes_results;       // true: serving without it answers differently
  std::string_view instead;   // what inferd does instead, for the message
};

// The fields set in `config` that inferd does not implement, in a stable
// order. Values Normalize fills in by default (pinned memory, default
// preferred_batch_size) never appear.
std::vector<UnimplementedField> UnimplementedFields(const inference::ModelConfig& config);

}  // namespace inferd::config
