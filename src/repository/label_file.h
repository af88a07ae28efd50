// Label files: the class names behind a classification output.
//
// An output with `label_filename: "labels.txt"` in config.pbtxt names a file
// in the model folder (beside config.pbtxt, not inside a version folder);
// line i is the label of class i. The KServe "classification" output
// parameter turns scores into "score:index:label" strings with it.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "repository/filesystem.h"

namespace inferd::repository {

// One label per line. "\r\n" line ends are accepted (files written on
// Windows); a final line end does not add an empty label, but empty lines in
// the middle are kept so indices stay aligned with the model's classes.
// NOT_FOUND naming the path when the file is missing.
Result<std::vector<std::string>> LoadLabelFile(const std::string& path, FileSystem& file_system);

}  // namespace inferd::repository
