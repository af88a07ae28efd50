#include "protocol/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace inferd::protocol {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII text that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));                // U+00E9
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));               // U+20AC
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));           // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));               // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("12345678\xE2\x82\xAC" "abc"));  // multi-byte right after the ASCII fast path
}

TEST(Utf8Test, RejectsIllFormedText) {
  EXPECT_FALSE(IsValidUtf8("\x80"));                  // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));              // overlong 2-byte form
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));          // overlong 3-byte form
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));      // overlong 4-byte form
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // UTF-16 surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));              // truncated sequence
  EXPECT_FALSE(IsValidUtf8("\xFF"));                  // never valid
  EXPECT_FALSE(IsValidUtf8("abcdefghi\xFFjklmnop"));  // bad byte after a fast-path chunk
}

TEST(Utf8Test, ReplacesOnlyIllFormedBytes) {
  EXPECT_EQ(ToValidUtf8("fine \xC3\xA9"), "fine \xC3\xA9");
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xC0\xAF\xED\xA0\x80 tail")));
}

}  // namespace
}  // namespace inferd::protocol
