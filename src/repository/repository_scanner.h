// Repository scanning: which model folders and which version folders exist.
//
// This is only the "what is on disk" half of model management; deciding what
// to load (version policy) and tracking load state live elsewhere, so a scan
// can be repeated by the poller without side effects.
//
// Layout (Triton's): <root>/<model-name>/[config.pbtxt]/<version>/<files>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "repository/filesystem.h"

namespace inferd::repository {

struct ModelLocation {
  std::string name;        // the folder name, which is the model name
  std::string path;        // the model folder: JoinPath(repository, name)
  std::string repository;  // the root it was found in, as given
};

// A model name the scan found but cannot serve. The caller marks the model
// UNAVAILABLE with `reason` and carries on with the others.
struct ScanProblem {
  std::string name;
  std::string reason;
};

// Every model folder of every root. A name is in exactly one of the two
// lists; both are sorted by name so logs are deterministic.
struct RepositoryScan {
  std::vector<ModelLocation> models;
  std::vector<ScanProblem> problems;
};

// Each non-hidden subdirectory of each root is a model. A root that is not a
// directory fails the whole scan (NOT_FOUND naming it): a mistyped
// --model-repository must not look like an empty repository. A model name
// present in two roots is ambiguous, so neither copy is served; it becomes one
// ScanProblem naming every folder. A root listed twice is scanned once.
Result<RepositoryScan> ScanRepositories(const std::vector<std::string>& roots, FileSystem& file_system);

// The version folders of one model, ascending. As in Triton, folders whose
// name is not a plain decimal number, or starts with '0', are ignored (a
// warning is logged for "01"-like names, which look like a typo).
Result<std::vector<int64_t>> ListVersions(const std::string& model_path, FileSystem& file_system);

// The version a folder name stands for, or nullopt when ListVersions ignores
// it: only [1-9][0-9]* that fits in int64.
std::optional<int64_t> ParseVersionFolderName(std::string_view name);

}  // namespace inferd::repository
