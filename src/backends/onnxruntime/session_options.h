// Session options for one instance, from the model config (Triton's
// onnxruntime backend parameter names) and the instance's settings.
//
// Recognised config entries (all as `parameters { key: ... value: { string_value: ... } }`
// except the graph level):
//   intra_op_thread_count  threads inside one operator (InstanceSettings wins when > 0)
//   inter_op_thread_count  threads across operators, used in parallel mode
//   execution_mode         "0" sequential (default), "1" parallel
//   enable_mem_arena       "1"/"true" or "0"/"false"
//   enable_mem_pattern     "1"/"true" or "0"/"false"
//   session.*              passed to ONNX Runtime as a session config entry,
//                          e.g. "session.intra_op.allow_spinning"
//   optimization { graph { level } }  -1 basic, 1 extended, 2 none, otherwise all
#pragma once

#include <onnxruntime_cxx_api.h>

#include "backends/sdk/backend.h"
#include "backends/sdk/module_config_reader.h"
#include "common/status.h"

namespace inferd::ort {

struct ThreadCounts {
  int intra_op = 1;
  int inter_op = 0;  // 0: ONNX Runtime's default
};

// Resolves the thread counts: settings > config parameters > this machine.
Result<ThreadCounts> ResolveThreadCounts(const sdk::ModuleConfig& config, const InstanceSettings& settings);

// Options for a serving session: threads, execution mode, graph level,
// memory settings, and the CUDA execution provider when settings.gpu.
Result<Ort::SessionOptions> MakeServingSessionOptions(const sdk::ModuleConfig& config, const InstanceSettings& settings);

// Options for a short-lived session that only reads the model's inputs and
// outputs: one thread, no graph optimization (it would change nothing visible).
Result<Ort::SessionOptions> MakeInspectionSessionOptions(const std::string& subject);

}  // namespace inferd::ort
