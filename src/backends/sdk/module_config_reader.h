// Reads the few ModelConfig fields backend modules need, through protobuf
// reflection.
//
// Why reflection instead of the generated accessors: the server already links
// the generated model_config.pb.cc, and libprotobuf keeps one process-wide
// registry of .proto files. If this module linked its own copy, loading the
// module would register model_config.proto a second time and protobuf aborts
// the process. Reflection needs only libprotobuf itself, and the module is
// linked with --no-undefined so any accidental use of a generated symbol fails
// the build instead of the dlopen.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

namespace inferd::sdk {

struct ModuleConfig {
  std::string model_name;                        // ModelConfig.name
  std::map<std::string, std::string> parameters;  // parameters { key: value { string_value } }
  std::optional<int> graph_level;                // optimization { graph { level } }, when set
  std::map<std::string, std::vector<int64_t>> input_dims;  // input { name dims }
  bool decoupled = false;                        // model_transaction_policy { decoupled }
};

// `config` is an inference::ModelConfig. Fields the message lacks are left
// empty rather than treated as errors.
ModuleConfig ReadModuleConfig(const google::protobuf::Message& config);

}  // namespace inferd::sdk
