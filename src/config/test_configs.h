// config.pbtxt texts shared by the src/config tests: the two configs from the
// OCR report (verbatim) and Triton "kitchen sink" configs that set every
// section. A oneof allows one scheduler per config, hence several sinks.
#pragma once

#include <string>
#include <string_view>

namespace inferd::config::testing {

inline constexpr std::string_view kTextRecognition = R"pb(
name: "text_recognition"
backend: "onnxruntime"
max_batch_size : 0
input [ { name: "input.1" data_type: TYPE_FP32 dims: [ 1, 1, 32, 100 ] } ]
output [ { name: "308" data_type: TYPE_FP32 dims: [ 1, 26, 37 ] } ]
)pb";

// The report uses max_batch_size 0 in one place and 256 in another.
inline std::string TextDetection(int max_batch_size) {
  return std::string(R"pb(
name: "text_detection"
backend: "onnxruntime"
max_batch_size : )pb") +
         std::to_string(max_batch_size) + R"pb(
input [ { name: "input_images:0" data_type: TYPE_FP32 dims: [ -1, -1, -1, 3 ] } ]
output [ { name: "feature_fusion/Conv_7/Sigmoid:0" data_type: TYPE_FP32 dims: [ -1, -1, -1, 1 ] } ]
output [ { name: "feature_fusion/concat_3:0" data_type: TYPE_FP32 dims: [ -1, -1, -1, 5 ] } ]
)pb";
}

// Dynamic batching with a priority queue map, GPU instance groups, and every
// other top-level section that is not a scheduler.
inline constexpr std::string_view kKitchenSinkDynamic = R"pb(
name: "kitchen_sink"
platform: "onnxruntime_onnx"
max_batch_size: 8
version_policy: { specific: { versions: [ 1, 3 ] } }
input [
  {
    name: "INPUT0"
    data_type: TYPE_FP32
    format: FORMAT_NCHW
    dims: [ 3, 224, 224 ]
    allow_ragged_batch: false
    optional: false
  },
  {
    name: "INPUT1"
    data_type: TYPE_STRING
    dims: [ 1 ]
    reshape: { shape: [ ] }
  }
]
output [
  {
    name: "OUTPUT0"
    data_type: TYPE_FP32
    dims: [ 1000 ]
    label_filename: "labels.txt"
  }
]
batch_input [
  {
    kind: BATCH_ELEMENT_COUNT
    target_name: "BATCH_COUNT"
    data_type: TYPE_INT32
    source_input: "INPUT0"
  }
]
batch_output [
  {
    target_name: "OUTPUT0"
    kind: BATCH_SCATTER_WITH_INPUT_SHAPE
    source_input: "INPUT0"
  }
]
instance_group [
  {
    name: "gpu_group"
    kind: KIND_GPU
    count: 2
    gpus: [ 0, 1 ]
    rate_limiter {
      resources [ { name: "R1" global: true count: 4 } ]
      priority: 2
    }
  },
  {
    kind: KIND_CPU
    count: 0
  }
]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 100
  preserve_ordering: false
  priority_levels: 2
  default_priority_level: 1
  default_queue_policy {
    timeout_action: REJECT
    default_timeout_microseconds: 18446744073709551615
    allow_timeout_override: true
    max_queue_size: 16
  }
  priority_queue_policy {
    key: 2
    value: {
      timeout_action: DELAY
      default_timeout_microseconds: 1000
      max_queue_size: 4
    }
  }
}
optimization {
  graph { level: 1 }
  priority: PRIORITY_MAX
  cuda {
    graphs: true
    busy_wait_events: true
    graph_spec [
      {
        batch_size: 4
        input { key: "INPUT0" value { dim: [ 3, 224, 224 ] } }
      }
    ]
    output_copy_stream: true
  }
  execution_accelerators {
    gpu_execution_accelerator [
      {
        name: "tensorrt"
        parameters { key: "precision_mode" value: "FP16" }
      }
    ]
    cpu_execution_accelerator [ { name: "openvino" } ]
  }
  input_pinned_memory { enable: false }
  output_pinned_memory { enable: true }
  gather_kernel_buffer_threshold: 2
  eager_batching: true
}
default_model_filename: "model.onnx"
cc_model_filenames { key: "7.5" value: "model_t4.onnx" }
metric_tags { key: "team" value: "ocr" }
parameters { key: "intra_op_thread_count" value: { string_value: "2" } }
parameters [ { key: "execution_mode" value: { string_value: "0" } } ]
model_warmup [
  {
    name: "zeros"
    batch_size: 1
    count: 2
    inputs {
      key: "INPUT0"
      value: { data_type: TYPE_FP32 dims: [ 3, 224, 224 ] zero_data: true }
    }
  },
  {
    name: "random"
    batch_size: 2
    inputs [ { key: "INPUT1" value: { data_type: TYPE_STRING dims: [ 1 ] random_data: true } } ]
  }
]
model_operations { op_library_filename: [ "libcustom_ops.so" ] }
model_transaction_policy { decoupled: false }
model_repository_agents {
  agents [
    {
      name: "checksum"
      parameters { key: "MD5:1/model.onnx" value: "abc" }
    }
  ]
}
response_cache { enable: true }
)pb";

// Sequence batching with the oldest strategy, every control kind and state.
inline constexpr std::string_view kKitchenSinkSequence = R"pb(
name: "sequence_model"
backend: "onnxruntime"
max_batch_size: 4
version_policy: { latest: { num_versions: 2 } }
input [ { name: "INPUT" data_type: TYPE_INT32 dims: [ 1 ] } ]
output [ { name: "OUTPUT" data_type: TYPE_INT32 dims: [ 1 ] } ]
sequence_batching {
  max_sequence_idle_microseconds: 5000000
  oldest {
    max_candidate_sequences: 4
    preferred_batch_size: [ 2, 4 ]
    max_queue_delay_microseconds: 100
    preserve_ordering: true
  }
  control_input [
    {
      name: "START"
      control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ]
    },
    {
      name: "READY"
      control [ { kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] } ]
    },
    {
      name: "END"
      control [ { kind: CONTROL_SEQUENCE_END bool_false_true: [ false, true ] } ]
    },
    {
      name: "CORRID"
      control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ]
    }
  ]
  state [
    {
      input_name: "INPUT_STATE"
      output_name: "OUTPUT_STATE"
      data_type: TYPE_FP32
      dims: [ -1 ]
      initial_state [
        { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "zeros" }
      ]
      use_same_buffer_for_input_output: true
      use_growable_memory: true
    }
  ]
  iterative_sequence: false
}
instance_group [ { count: 2 kind: KIND_AUTO } ]
)pb";

// Sequence batching with the direct strategy and the "all" version policy.
inline constexpr std::string_view kKitchenSinkDirect = R"pb(
name: "direct_model"
platform: "onnxruntime_onnx"
max_batch_size: 2
version_policy: { all: { } }
input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 16 ] } ]
output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ 16 ] } ]
sequence_batching {
  direct { max_queue_delay_microseconds: 100 minimum_slot_utilization: 0.5 }
}
)pb";

inline constexpr std::string_view kKitchenSinkEnsemble = R"pb(
name: "ocr_pipeline"
platform: "ensemble"
max_batch_size: 0
input [ { name: "IMAGE" data_type: TYPE_UINT8 dims: [ -1 ] } ]
output [ { name: "TEXT" data_type: TYPE_STRING dims: [ -1 ] } ]
ensemble_scheduling {
  step [
    {
      model_name: "text_detection"
      model_version: -1
      input_map { key: "input_images:0" value: "IMAGE" }
      output_map { key: "feature_fusion/Conv_7/Sigmoid:0" value: "scores" }
    },
    {
      model_name: "text_recognition"
      model_version: 1
      input_map { key: "input.1" value: "scores" }
      output_map { key: "308" value: "TEXT" }
    }
  ]
}
)pb";

}  // namespace inferd::config::testing
