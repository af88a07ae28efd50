// The inputs and outputs a model file declares, as a backend reads them; the
// config auto-completer fills a config from it.
#pragma once

#include <string>
#include <vector>

#include "types/data_type.h"
#include "types/tensor.h"

namespace inferd {

// A tensor as the model file declares it (for auto-completing configs).
struct ModelTensorInfo {
  std::string name;
  DataType datatype = DataType::kInvalid;
  Shape shape;  // -1 for symbolic or unknown dimensions
};

struct ModelFileInfo {
  std::vector<ModelTensorInfo> inputs;
  std::vector<ModelTensorInfo> outputs;
};

}  // namespace inferd
