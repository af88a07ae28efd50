#include "backends/ocr/ctc_decode.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace inferd::ocr {
namespace {

// One row per step: probability 0.9 (or `peak`) on `best`, the rest spread evenly.
std::vector<float> Steps(const std::vector<int>& best, int classes, const std::vector<float>& peak = {}) {
  std::vector<float> rows;
  for (size_t step = 0; step < best.size(); ++step) {
    const float top = peak.empty() ? 0.9f : peak[step];
    for (int c = 0; c < classes; ++c) rows.push_back(c == best[step] ? top : (1.0f - top) / (classes - 1));
  }
  return rows;
}

TEST(CtcGreedyDecodeTest, CollapsesRepeatsAndDropsBlanks) {
  const CharacterDictionary dictionary = CharacterDictionary::FromCharacters({"a", "b", "c"});
  ASSERT_EQ(dictionary.class_count(), 5u);  // blank, a, b, c, space
  // a a _ a b b ' ' c  ->  "a" "a" "b" " " "c"
  const std::vector<int> best = {1, 1, 0, 1, 2, 2, 4, 3};
  const std::vector<float> peaks = {0.9f, 0.5f, 0.8f, 0.7f, 0.6f, 0.9f, 0.8f, 0.5f};
  const std::vector<float> rows = Steps(best, 5, peaks);
  DecodedText decoded = CtcGreedyDecode(rows.data(), 8, 5, dictionary);
  EXPECT_EQ(decoded.text, "aab c");
  // Kept steps: 0 (0.9), 3 (0.7), 4 (0.6), 6 (0.8), 7 (0.5).
  EXPECT_NEAR(decoded.score, (0.9f + 0.7f + 0.6f + 0.8f + 0.5f) / 5, 1e-6);
}

TEST(CtcGreedyDecodeTest, AllBlankIsEmptyWithScoreZero) {
  const CharacterDictionary dictionary = CharacterDictionary::FromCharacters({"a"});
  const std::vector<float> rows = Steps({0, 0, 0}, 3);
  DecodedText decoded = CtcGreedyDecode(rows.data(), 3, 3, dictionary);
  EXPECT_EQ(decoded.text, "");
  EXPECT_EQ(decoded.score, 0.0f);
  EXPECT_EQ(CtcGreedyDecode(nullptr, 0, 3, dictionary).text, "");
}

TEST(CtcGreedyDecodeTest, MultiByteCharactersAreKeptWhole) {
  const CharacterDictionary dictionary = CharacterDictionary::FromCharacters({"中", "文"});
  const std::vector<float> rows = Steps({1, 0, 2}, 4);
  EXPECT_EQ(CtcGreedyDecode(rows.data(), 3, 4, dictionary).text, "中文");
}

TEST(CharacterDictionaryTest, LoadsOneCharacterPerLine) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("inferd_ctc_dictionary_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path, std::ios::binary) << "x\r\ny\nz";
  Result<CharacterDictionary> dictionary = CharacterDictionary::Load(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(dictionary.ok()) << dictionary.status().ToString();
  ASSERT_EQ(dictionary->class_count(), 5u);
  EXPECT_EQ(dictionary->character(0), "");
  EXPECT_EQ(dictionary->character(1), "x");
  EXPECT_EQ(dictionary->character(2), "y");
  EXPECT_EQ(dictionary->character(3), "z");
  EXPECT_EQ(dictionary->character(4), " ");
}

TEST(CharacterDictionaryTest, MissingFileIsNotFound) {
  Result<CharacterDictionary> dictionary = CharacterDictionary::Load("/nonexistent/ppocr_keys_v1.txt");
  ASSERT_FALSE(dictionary.ok());
  EXPECT_EQ(dictionary.status().code(), StatusCode::kNotFound);
  EXPECT_NE(dictionary.status().message().find("/nonexistent/ppocr_keys_v1.txt"), std::string::npos);
}

}  // namespace
}  // namespace inferd::ocr
