#include "repository/version_policy.h"

#include <algorithm>

#include <fmt/format.h>

namespace inferd::repository {
namespace {

// The distinct versions named by a `specific` policy, ascending.
std::vector<int64_t> SpecificVersions(const inference::ModelVersionPolicy& policy) {
  std::vector<int64_t> requested(policy.specific().versions().begin(), policy.specific().versions().end());
  std::sort(requested.begin(), requested.end());
  requested.erase(std::unique(requested.begin(), requested.end()), requested.end());
  return requested;
}

bool Contains(const std::vector<int64_t>& sorted, int64_t version) {
  return std::binary_search(sorted.begin(), sorted.end(), version);
}

}  // namespace

std::vector<int64_t> SelectVersions(const inference::ModelVersionPolicy& policy,
                                    const std::vector<int64_t>& available) {
  if (policy.has_all()) return available;
  if (policy.has_specific()) {
    std::vector<int64_t> selected;
    for (int64_t version : SpecificVersions(policy)) {
      if (Contains(available, version)) selected.push_back(version);
    }
    return selected;
  }
  // latest, or no choice at all (Triton's default: latest 1). An explicit
  // `latest {}` parses to num_versions 0; serving nothing would be a silent
  // outage, so it means 1 here (config validation may reject it earlier).
  uint64_t count = 1;
  if (policy.has_latest() && policy.latest().num_versions() > 0) count = policy.latest().num_versions();
  count = std::min<uint64_t>(count, available.size());
  return std::vector<int64_t>(available.end() - static_cast<std::ptrdiff_t>(count), available.end());
}

std::vector<int64_t> MissingRequestedVersions(const inference::ModelVersionPolicy& policy,
                                              const std::vector<int64_t>& available) {
  std::vector<int64_t> missing;
  if (!policy.has_specific()) return missing;
  for (int64_t version : SpecificVersions(policy)) {
    if (!Contains(available, version)) missing.push_back(version);
  }
  return missing;
}

std::string MissingVersionReason(int64_t version) {
  return fmt::format("version folder {} does not exist", version);
}

}  // namespace inferd::repository
