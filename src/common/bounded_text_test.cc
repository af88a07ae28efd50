#include "common/bounded_text.h"

#include <gtest/gtest.h>

namespace inferd {
namespace {

TEST(AbbreviateTest, ShortTextIsKept) {
  EXPECT_EQ(Abbreviate("INPUT0"), "INPUT0");
  EXPECT_EQ(Abbreviate(std::string(kMaxEchoedBytes, 'a')), std::string(kMaxEchoedBytes, 'a'));
}

TEST(AbbreviateTest, LongTextKeepsItsStartAndSaysHowLongItWas) {
  const std::string name(100'000, 'm');
  const std::string shown = Abbreviate(name);
  EXPECT_EQ(shown, std::string(kMaxEchoedBytes, 'm') + "...(100000 bytes)");
}

TEST(AbbreviateTest, NeverSplitsAUtf8Character) {
  // "é" is two bytes; a cut after 5 bytes would split the third one.
  const std::string text = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
  EXPECT_EQ(Abbreviate(text, 5), "\xC3\xA9\xC3\xA9...(8 bytes)");
  EXPECT_EQ(Utf8PrefixLength(text, 5), 4u);
  EXPECT_EQ(Utf8PrefixLength(text, 6), 6u);
  EXPECT_EQ(Utf8PrefixLength(text, 100), text.size());
}

TEST(BoundMessageTest, CutsLongMessagesUnderTheLimit) {
  EXPECT_EQ(BoundMessage("short"), "short");
  const std::string bounded = BoundMessage(std::string(200'000, 'x'));
  EXPECT_LE(bounded.size(), kMaxMessageBytes);
  EXPECT_TRUE(bounded.ends_with("...(message cut)"));
  EXPECT_TRUE(bounded.starts_with("xxxx"));
}

}  // namespace
}  // namespace inferd
