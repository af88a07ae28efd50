// Where a file named by a model's config (label_filename,
// default_model_filename) or by a backend parameter (the OCR dictionary, and
// later warm-up data and Python model files) really is, confined to that
// model's folder. Every backend resolves such names through this one
// function, so a config can never make the server read, or a client receive,
// a file from outside the model repository.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd {

// The real path (symlinks resolved) of `name`, relative to `base_dir`, which
// must lie inside `model_dir` (the model's folder, <repository>/<model>).
// `field` names the setting for messages ("output 'PROBS' label_filename").
// Errors, each naming the field and the path:
//   INVALID_ARGUMENT  empty name, absolute path, a path that resolves outside
//                     model_dir (".." or a symlink out), a symlink loop;
//   NOT_FOUND         the file does not exist.
Result<std::string> ResolveModelFile(const std::string& model_dir, const std::string& base_dir,
                                     const std::string& name, std::string_view field);

}  // namespace inferd
