#include "frontend/http/http_framing.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <initializer_list>
#include <string>

namespace inferd::http {
namespace {

namespace beast_http = boost::beast::http;

beast_http::request_header<> Header(std::initializer_list<std::string_view> transfer_encodings, unsigned version = 11) {
  beast_http::request_header<> header;
  header.version(version);
  header.method(beast_http::verb::post);
  header.target("/v2/models/m/infer");
  for (std::string_view value : transfer_encodings) header.insert(beast_http::field::transfer_encoding, std::string(value));
  return header;
}

TEST(CheckRequestFramingTest, PlainAndChunkedRequestsPass) {
  EXPECT_FALSE(CheckRequestFraming(Header({})));
  EXPECT_FALSE(CheckRequestFraming(Header({"chunked"})));
  EXPECT_FALSE(CheckRequestFraming(Header({"Chunked"})));
  EXPECT_FALSE(CheckRequestFraming(Header({" chunked , "})));
}

TEST(CheckRequestFramingTest, ChunkedMustBeTheLastCoding) {
  for (auto codings : {Header({"chunked, identity"}), Header({"chunked", "identity"}), Header({"gzip"}),
                       Header({","})}) {
    std::optional<FramingError> error = CheckRequestFraming(codings);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->status, beast_http::status::bad_request);
    EXPECT_NE(error->message.find("the last transfer coding must be chunked"), std::string::npos) << error->message;
  }
}

TEST(CheckRequestFramingTest, ChunkedTwiceIsRefused) {
  std::optional<FramingError> error = CheckRequestFraming(Header({"chunked", "chunked"}));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, beast_http::status::bad_request);
  EXPECT_NE(error->message.find("more than once"), std::string::npos);
}

TEST(CheckRequestFramingTest, OtherCodingsAreNotImplemented) {
  std::optional<FramingError> error = CheckRequestFraming(Header({"gzip, chunked"}));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, beast_http::status::not_implemented);
  EXPECT_NE(error->message.find("'gzip'"), std::string::npos);
}

TEST(CheckRequestFramingTest, Http10AndContentLengthWithTransferEncodingAreRefused) {
  EXPECT_EQ(CheckRequestFraming(Header({"chunked"}, 10))->status, beast_http::status::bad_request);
  beast_http::request_header<> both = Header({"chunked"});
  both.set(beast_http::field::content_length, "5");
  std::optional<FramingError> error = CheckRequestFraming(both);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("both Transfer-Encoding and Content-Length"), std::string::npos);
}

TEST(CheckRequestFramingTest, EchoedValueIsBounded) {
  const std::string huge = std::string(10'000, 'x') + ", chunked";
  std::optional<FramingError> error = CheckRequestFraming(Header({huge}));
  ASSERT_TRUE(error);
  EXPECT_LT(error->message.size(), 400u);
}

TEST(OriginFormOfTest, AbsoluteTargetsBecomeTheirPath) {
  EXPECT_EQ(OriginFormOf("http://localhost:8000/v2/health/ready"), "/v2/health/ready");
  EXPECT_EQ(OriginFormOf("HTTPS://example/v2/models/m?x=1"), "/v2/models/m?x=1");
  EXPECT_EQ(OriginFormOf("http://localhost:8000"), "/");
  EXPECT_EQ(OriginFormOf("http://localhost:8000?q"), "/?q");
}

TEST(OriginFormOfTest, OtherTargetsAreLeftAlone) {
  EXPECT_EQ(OriginFormOf("/v2"), std::nullopt);
  EXPECT_EQ(OriginFormOf("*"), std::nullopt);
  EXPECT_EQ(OriginFormOf("ftp://host/v2"), std::nullopt);
  EXPECT_EQ(OriginFormOf("localhost:8000"), std::nullopt);
}

}  // namespace
}  // namespace inferd::http
