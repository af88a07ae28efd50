// A digest of a model folder's contents, so the poller reloads a model when
// its config, labels or model files change and not when they are merely
// touched (copied with a new mtime, checked out again).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "repository/filesystem.h"

namespace inferd::repository {

// Hashes the relative path and the bytes of every file under `path`, and
// the names of entries that are neither files nor folders (a broken link
// counts: fixing it is a change). Folders deeper than 16 levels are not
// read (a link loop would never end). Fails when `path` cannot be listed.
Result<uint64_t> FingerprintModelFolder(const std::string& path, FileSystem& file_system);

}  // namespace inferd::repository
