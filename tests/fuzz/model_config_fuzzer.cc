// libFuzzer target: arbitrary text as a config.pbtxt, through the same steps
// a model load takes (parse, normalize) and the JSON rendering the config
// endpoint serves.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/json.h"
#include "config/normalize.h"
#include "config/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = inferd::config::ParseModelConfigText(text, "fuzz/config.pbtxt");
  if (!config.ok()) return 0;
  inference::ModelConfig normalized = *config;
  if (inferd::config::NormalizeModelConfig("fuzz", &normalized).ok()) {
    (void)inferd::config::ModelConfigToJson(normalized);
  }
  (void)inferd::config::ModelConfigToJson(*config);
  return 0;
}
