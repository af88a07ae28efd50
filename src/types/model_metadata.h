// What the server tells clients about its models: metadata and the
// repository index. Plain data, filled by the core and written out by the
// protocol codecs.
#pragma once

#include <string>
#include <vector>

#include "types/tensor.h"

namespace inferd {

struct TensorMetadata {
  std::string name;
  std::string datatype;  // KServe name, "FP32"
  Shape shape;           // full shape, -1 for the batch and variable dimensions
};

struct ModelMetadata {
  std::string name;
  std::vector<std::string> versions;  // ready versions, ascending
  std::string platform;
  std::vector<TensorMetadata> inputs;
  std::vector<TensorMetadata> outputs;
};

// One row of the repository index: a model version and its state.
struct ModelIndexEntry {
  std::string name;
  std::string version;  // empty when the model failed before any version was known
  std::string state;    // "READY", "LOADING", "UNLOADING", "UNAVAILABLE"
  std::string reason;   // why it is not READY
};

}  // namespace inferd
