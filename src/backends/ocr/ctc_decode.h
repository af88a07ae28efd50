// Greedy CTC decoding of the recogniser's per-step class probabilities into
// text, as PaddleOCR's CTCLabelDecode does it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace inferd::ocr {

// The recogniser's classes: 0 is the CTC blank, 1..N the dictionary's lines
// in file order, N+1 a space (PaddleOCR's use_space_char).
class CharacterDictionary {
 public:
  // One character per line of `path` (UTF-8; "\n" or "\r\n" line ends).
  static Result<CharacterDictionary> Load(const std::string& path);
  static CharacterDictionary FromCharacters(std::vector<std::string> characters);

  // Dictionary lines + blank + space.
  size_t class_count() const { return characters_.size(); }
  // The text of class `index` (empty for the blank).
  const std::string& character(size_t index) const { return characters_[index]; }

 private:
  explicit CharacterDictionary(std::vector<std::string> characters);
  std::vector<std::string> characters_;  // [blank, lines..., space]
};

struct DecodedText {
  std::string text;
  float score = 0;  // mean probability of the kept characters; 0 for empty text
};

// Decodes one sequence: `probabilities` holds `steps` rows of `classes`
// values. Per step the most probable class is taken; repeats of the previous
// step's class and blanks are dropped. Classes beyond the dictionary are
// skipped (the caller checks `classes` against class_count() first).
DecodedText CtcGreedyDecode(const float* probabilities, int64_t steps, int64_t classes,
                            const CharacterDictionary& dictionary);

}  // namespace inferd::ocr
