// libFuzzer target: arbitrary bytes as the body of a model load or unload
// request, through everything the server does with it before loading: the
// HTTP body parsers, the config override's JSON -> ModelConfig, and the
// upload path checks of every "file:" parameter. The first byte picks the
// request kind.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/json.h"
#include "core/uploaded_model.h"
#include "protocol/model_control_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) {
    (void)inferd::protocol::ParseHttpUnloadDependents(body);
    return 0;
  }
  inferd::Result<inferd::ModelLoadRequest> request = inferd::protocol::ParseHttpLoadRequest("m", body);
  if (!request.ok()) return 0;
  if (request->config) (void)inferd::config::ModelConfigFromJson(*request->config);
  for (const auto& [path, contents] : request->files) (void)inferd::CheckUploadPath(path);
  return 0;
}
