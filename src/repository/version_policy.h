// Version policy: which of a model's version folders to serve
// (config.pbtxt `version_policy`, Triton semantics).
//
//   latest { num_versions: n }  the n highest versions on disk (default n = 1)
//   all {}                      every version on disk
//   specific { versions: [...] } the listed versions that exist on disk
//
// A policy with no choice set behaves as latest { num_versions: 1 }, Triton's
// default, so callers need not fill defaults first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model_config.pb.h"

namespace inferd::repository {

// The versions to load, ascending. `available` is ListVersions' output
// (ascending, no duplicates); the result is a subset of it.
std::vector<int64_t> SelectVersions(const inference::ModelVersionPolicy& policy,
                                    const std::vector<int64_t>& available);

// Versions a `specific` policy asks for that have no folder, ascending and
// without duplicates; empty for the other policies. The caller reports each as
// UNAVAILABLE with MissingVersionReason(version).
std::vector<int64_t> MissingRequestedVersions(const inference::ModelVersionPolicy& policy,
                                              const std::vector<int64_t>& available);

// "version folder 4 does not exist".
std::string MissingVersionReason(int64_t version);

}  // namespace inferd::repository
