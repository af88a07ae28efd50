// Where a file named by a model's config (label_filename,
// default_model_filename) or by a backend parameter (the OCR dictionary, and
// later warm-up data and Python model files) really is, confined to that
// model's folder. Every backend resolves such names through this one
// function, so a config can never make the server read, or a client receive,
// a file from outside the model repository.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace inferd {

// The real path of `path` (symbolic links resolved) on some storage:
// NOT_FOUND when it does not exist, INVALID_ARGUMENT when it is a symbolic
// link loop, INTERNAL for any other failure; the message is the reason alone.
using RealPathFunction = std::function<Result<std::string>(const std::string& path)>;
// The local disk's (std::filesystem::canonical).
Result<std::string> LocalRealPath(const std::string& path);

// The real path (symlinks resolved) of `name`, relative to `base_dir`, which
// must lie inside `model_dir` (the model's folder, <repository>/<model>).
// `field` names the setting for messages ("output 'PROBS' label_filename").
// Errors, each naming the field and the path:
//   INVALID_ARGUMENT  empty name, absolute path, a path that resolves outside
//                     model_dir (".." or a symlink out), a symlink loop;
//   NOT_FOUND         the file does not exist.
// `real_path` resolves paths on the storage the model folder lives on.
Result<std::string> ResolveModelFile(const std::string& model_dir, const std::string& base_dir,
                                     const std::string& name, std::string_view field,
                                     const RealPathFunction& real_path = LocalRealPath);

}  // namespace inferd
