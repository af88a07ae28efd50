// JSON bodies of the KServe v2 HTTP endpoints other than inference: errors,
// server and model metadata, repository index, statistics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "types/model_metadata.h"
#include "types/statistics.h"

namespace inferd::protocol {

// {"error": "..."}; ill-formed UTF-8 in `message` becomes U+FFFD.
std::string ErrorJson(std::string_view message);

// {"name", "version", "extensions": [...]}
std::string ServerMetadataJson(const std::string& name, const std::string& version,
                               const std::vector<std::string>& extensions);

// {"name", "versions": ["1", ...], "platform", "inputs": [{"name", "datatype",
// "shape"}], "outputs": [...]}
std::string ModelMetadataJson(const ModelMetadata& metadata);

// [{"name", "version", "state", "reason"}, ...]; an empty version or reason
// is left out (Triton's model repository extension marks both optional).
std::string RepositoryIndexJson(const std::vector<ModelIndexEntry>& entries);

// {"model_stats": [{"name", "version", "last_inference", "inference_count",
// "execution_count", "inference_stats": {"success", "fail", "queue",
// "compute_input", "compute_infer", "compute_output", "cache_hit",
// "cache_miss"}, "batch_stats": [{"batch_size", "compute_input",
// "compute_infer", "compute_output"}]}]}, every duration as {"count", "ns"}
// (Triton's statistics extension, as perf_analyzer reads it).
std::string ModelStatisticsJson(const std::vector<ModelStatisticsSnapshot>& stats);

// Body of POST v2/repository/index: {"ready": true} -> true; an empty body,
// {} or "ready": false -> false. Malformed JSON or a non-bool "ready" is
// INVALID_ARGUMENT.
Result<bool> ParseRepositoryIndexReady(std::string_view body);

}  // namespace inferd::protocol
