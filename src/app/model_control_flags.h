// tritonserver's model control flags (--model-control-mode,
// --repository-poll-secs, --load-model, --model-load-thread-count) and the
// restricted API flags that guard them (--http-restricted-api,
// --grpc-restricted-protocol).
#pragma once

#include <CLI/CLI.hpp>

#include "app/flags.h"
#include "common/status.h"

namespace inferd::app {

void AddModelControlFlags(CLI::App& app, Flags& flags);
// tritonserver's rules and words: --load-model only in explicit mode, "*"
// alone, a known mode, positive counts.
Status ValidateModelControlFlags(const Flags& flags);

}  // namespace inferd::app
