#include "repository/model_fingerprint.h"

#include <functional>
#include <string_view>

namespace inferd::repository {
namespace {

constexpr int kMaxDepth = 16;

void Mix(uint64_t* digest, std::string_view bytes) {
  // boost::hash_combine's mixing step over std::hash of each piece.
  const uint64_t value = std::hash<std::string_view>{}(bytes);
  *digest ^= value + 0x9e3779b97f4a7c15ULL + (*digest << 6) + (*digest >> 2);
}

Status HashFolder(const std::string& path, const std::string& relative, int depth, FileSystem& file_system,
                  uint64_t* digest) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, file_system.ListFiles(path));
  for (const std::string& file : files) {
    Mix(digest, relative + file);
    Result<std::string> bytes = file_system.ReadFile(JoinPath(path, file));
    // An unreadable file hashes as its error, so becoming readable is a change.
    Mix(digest, bytes.ok() ? std::string_view(*bytes) : std::string_view(bytes.status().message()));
  }
  ASSIGN_OR_RETURN(std::vector<UnusableEntry> unusable, file_system.ListUnusableEntries(path));
  for (const UnusableEntry& entry : unusable) Mix(digest, relative + entry.name + "\n" + entry.reason);
  if (depth >= kMaxDepth) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<std::string> folders, file_system.ListSubdirectories(path));
  for (const std::string& folder : folders) {
    Mix(digest, relative + folder + "/");
    RETURN_IF_ERROR(HashFolder(JoinPath(path, folder), relative + folder + "/", depth + 1, file_system, digest));
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> FingerprintModelFolder(const std::string& path, FileSystem& file_system) {
  uint64_t digest = 0;
  RETURN_IF_ERROR(HashFolder(path, "", 0, file_system, &digest));
  return digest;
}

}  // namespace inferd::repository
