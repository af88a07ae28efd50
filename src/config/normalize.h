// Filling defaults into a parsed model configuration and validating it, in
// one place, following Triton's rules (its model_configuration.md).
//
// Order for a caller loading a model:
//   1. ParseModelConfigText / LoadModelConfigFile (parse.h)
//   2. if !HasBackend(config): decide the backend (e.g. "onnxruntime" when a
//      version folder holds model.onnx) or report the model as unloadable
//   3. AutoCompleteConfig with what the model file declares (autocomplete.h)
//   4. NormalizeModelConfig (this file)
#pragma once

#include <string_view>

#include "common/status.h"
#include "model_config.pb.h"

namespace inferd::config {

inline constexpr std::string_view kEnsemblePlatform = "ensemble";
inline constexpr std::string_view kOnnxRuntimeBackend = "onnxruntime";
inline constexpr std::string_view kPythonBackend = "python";
inline constexpr std::string_view kOnnxRuntimePlatform = "onnxruntime_onnx";

// True when the config names a platform or a backend.
bool HasBackend(const inference::ModelConfig& config);
// True for Triton-style ensembles (platform "ensemble").
bool IsEnsemble(const inference::ModelConfig& config);

// Fills defaults and validates; on error, `config` may be partly filled.
//  - name: missing -> `folder_name`; a different name is an error.
//  - platform/backend: known pairs fill each other ("onnxruntime_onnx" <->
//    "onnxruntime"); ensembles keep Triton's form (platform "ensemble", empty
//    backend; backend: "ensemble" is accepted and rewritten so); neither set
//    is an error. default_model_filename is filled for known backends.
//  - version_policy: default latest { num_versions: 1 }.
//  - instance_group (not for ensembles): default one group named after the
//    model, KIND_CPU, count 1; unnamed groups get "<model>_<index>"; count < 1
//    becomes 1; KIND_AUTO becomes KIND_GPU when the group lists gpus, else
//    KIND_CPU (inferd does not probe for GPUs here).
//  - dynamic_batching / sequence_batching.oldest: empty preferred_batch_size
//    becomes [max_batch_size]; sequence idle time defaults to 1 second.
//  - optimization (not for ensembles): pinned memory flags default to true.
// Every error names the model and the offending field.
Status NormalizeModelConfig(std::string_view folder_name, inference::ModelConfig* config);

}  // namespace inferd::config
