// The model config the request fuzzers validate decoded requests against:
// INPUT0, INPUT1 (INT32, variable length, batched up to 8) and an optional
// TEXT (BYTES [2]).
#pragma once

#include "model_config.pb.h"

namespace inferd::fuzz {

inline const inference::ModelConfig& Config() {
  static const inference::ModelConfig config = [] {
    inference::ModelConfig c;
    c.set_name("fuzz");
    c.set_max_batch_size(8);
    for (const char* name : {"INPUT0", "INPUT1"}) {
      auto* input = c.add_input();
      input->set_name(name);
      input->set_data_type(inference::TYPE_INT32);
      input->add_dims(-1);
    }
    auto* text = c.add_input();
    text->set_name("TEXT");
    text->set_data_type(inference::TYPE_STRING);
    text->add_dims(2);
    text->set_optional(true);
    auto* output = c.add_output();
    output->set_name("OUTPUT0");
    output->set_data_type(inference::TYPE_INT32);
    output->add_dims(-1);
    return c;
  }();
  return config;
}

}  // namespace inferd::fuzz
