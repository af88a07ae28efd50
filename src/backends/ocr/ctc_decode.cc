#include "backends/ocr/ctc_decode.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

namespace inferd::ocr {

CharacterDictionary::CharacterDictionary(std::vector<std::string> characters) : characters_(std::move(characters)) {}

CharacterDictionary CharacterDictionary::FromCharacters(std::vector<std::string> characters) {
  std::vector<std::string> classes;
  classes.reserve(characters.size() + 2);
  classes.emplace_back();  // blank
  for (std::string& character : characters) classes.push_back(std::move(character));
  classes.emplace_back(" ");
  return CharacterDictionary(std::move(classes));
}

Result<CharacterDictionary> CharacterDictionary::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound(fmt::format("character dictionary '{}' cannot be opened", path));
  std::vector<std::string> characters;
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    characters.push_back(std::move(line));
  }
  if (file.bad()) return Status::Internal(fmt::format("character dictionary '{}' could not be read", path));
  if (characters.empty()) return Status::InvalidArgument(fmt::format("character dictionary '{}' is empty", path));
  return FromCharacters(std::move(characters));
}

DecodedText CtcGreedyDecode(const float* probabilities, int64_t steps, int64_t classes,
                            const CharacterDictionary& dictionary) {
  DecodedText decoded;
  if (classes <= 0) return decoded;
  double score_sum = 0;
  int64_t kept = 0;
  int64_t previous = -1;
  for (int64_t step = 0; step < steps; ++step) {
    const float* row = probabilities + step * classes;
    const int64_t best = std::max_element(row, row + classes) - row;
    const bool repeat = best == previous;
    previous = best;
    if (repeat || best == 0 || static_cast<size_t>(best) >= dictionary.class_count()) continue;
    decoded.text += dictionary.character(static_cast<size_t>(best));
    score_sum += row[best];
    ++kept;
  }
  decoded.score = kept > 0 ? static_cast<float>(score_sum / static_cast<double>(kept)) : 0.0f;
  return decoded;
}

}  // namespace inferd::ocr
