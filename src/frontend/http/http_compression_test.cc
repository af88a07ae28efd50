#include "frontend/http/http_compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace inferd::http {
namespace {

constexpr size_t kNoLimit = size_t{1} << 30;

std::string SampleText() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"inputs\":[{\"name\":\"INPUT0\",\"data\":[" + std::to_string(i) + "]}]}";
  return text;
}

// What Python's zlib.compress (tritonclient's "deflate") produces: the
// zlib format, made here with zlib's own one-shot call.
std::string ZlibFormat(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                     data.size()),
            Z_OK);
  out.resize(size);
  return out;
}

std::string RawDeflate(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(HttpCompressionTest, ParsesContentEncoding) {
  EXPECT_EQ(ParseContentEncoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentEncoding(" GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(ParseContentEncoding("br"), std::nullopt);
  EXPECT_EQ(ParseContentEncoding("gzip, deflate"), std::nullopt);  // stacked codings: not supported
}

TEST(HttpCompressionTest, ChoosesResponseCoding) {
  EXPECT_EQ(ChooseResponseCoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseResponseCoding("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseResponseCoding("deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(ChooseResponseCoding("br, identity"), ContentCoding::kIdentity);
  // The client's order breaks ties; q-values beat order.
  EXPECT_EQ(ChooseResponseCoding("deflate, gzip"), ContentCoding::kDeflate);
  EXPECT_EQ(ChooseResponseCoding("deflate;q=0.5, gzip;q=0.8"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseResponseCoding("gzip;q=0, deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(ChooseResponseCoding("gzip;q=0"), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseResponseCoding("*"), ContentCoding::kGzip);
  EXPECT_EQ(ChooseResponseCoding("GZip ; Q=1"), ContentCoding::kGzip);
}

TEST(HttpCompressionTest, GzipRoundTrip) {
  const std::string text = SampleText();
  Result<std::string> compressed = Compress(ContentCoding::kGzip, text);
  ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
  EXPECT_LT(compressed->size(), text.size() / 4);
  // The gzip magic number, so any gzip reader (Python's gzip module) accepts it.
  ASSERT_GE(compressed->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*compressed)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*compressed)[1]), 0x8b);
  Result<std::string> plain = Decompress(ContentCoding::kGzip, *compressed, kNoLimit);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, text);
}

TEST(HttpCompressionTest, DeflateIsTheZlibFormatBothWays) {
  const std::string text = SampleText();
  Result<std::string> ours = Compress(ContentCoding::kDeflate, text);
  ASSERT_TRUE(ours.ok());
  // zlib's own uncompress reads what we send (as Python's zlib.decompress would).
  uLongf size = text.size();
  std::string check(size, '\0');
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(check.data()), &size, reinterpret_cast<const Bytef*>(ours->data()),
                       ours->size()),
            Z_OK);
  EXPECT_EQ(check, text);

  Result<std::string> theirs = Decompress(ContentCoding::kDeflate, ZlibFormat(text), kNoLimit);
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_EQ(*theirs, text);
}

TEST(HttpCompressionTest, AcceptsRawDeflateToo) {
  const std::string text = SampleText();
  Result<std::string> plain = Decompress(ContentCoding::kDeflate, RawDeflate(text), kNoLimit);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, text);
}

TEST(HttpCompressionTest, ConcatenatedGzipMembers) {
  Result<std::string> first = Compress(ContentCoding::kGzip, "hello ");
  Result<std::string> second = Compress(ContentCoding::kGzip, "world");
  Result<std::string> plain = Decompress(ContentCoding::kGzip, *first + *second, kNoLimit);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, "hello world");
}

TEST(HttpCompressionTest, EmptyInputRoundTrips) {
  Result<std::string> compressed = Compress(ContentCoding::kGzip, "");
  ASSERT_TRUE(compressed.ok());
  Result<std::string> plain = Decompress(ContentCoding::kGzip, *compressed, kNoLimit);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "");
}

TEST(HttpCompressionTest, EnforcesTheSizeLimitOnDecodedBytes) {
  const std::string zeros(1 << 20, '\0');  // compresses about a thousand-fold
  Result<std::string> bomb = Compress(ContentCoding::kGzip, zeros);
  ASSERT_TRUE(bomb.ok());
  Result<std::string> refused = Decompress(ContentCoding::kGzip, *bomb, (1 << 20) - 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  Result<std::string> exact = Decompress(ContentCoding::kGzip, *bomb, 1 << 20);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->size(), zeros.size());

  Result<std::string> identity = Decompress(ContentCoding::kIdentity, "12345", 4);
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.status().code(), StatusCode::kResourceExhausted);
}

TEST(HttpCompressionTest, CorruptAndTruncatedDataAreInvalidArgument) {
  Result<std::string> garbage = Decompress(ContentCoding::kGzip, "this is not gzip", kNoLimit);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);

  Result<std::string> compressed = Compress(ContentCoding::kGzip, SampleText());
  std::string truncated = compressed->substr(0, compressed->size() / 2);
  Result<std::string> cut = Decompress(ContentCoding::kGzip, truncated, kNoLimit);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cut.status().message().find("truncated"), std::string::npos) << cut.status().message();
}

}  // namespace
}  // namespace inferd::http
