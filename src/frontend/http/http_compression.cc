#include "frontend/http/http_compression.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <limits>

namespace inferd::http {

namespace {

// zlib's window: 15 bits; +16 asks for the gzip wrapper; negative means raw
// deflate without a wrapper.
constexpr int kZlibWindowBits = 15;
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kRawDeflateWindowBits = -15;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A zlib stream starts with CMF/FLG bytes: compression method 8 and a
// header checksum divisible by 31 (RFC 1950 section 2.2).
bool LooksLikeZlibHeader(std::string_view data) {
  if (data.size() < 2) return false;
  auto cmf = static_cast<unsigned char>(data[0]);
  auto flg = static_cast<unsigned char>(data[1]);
  return (cmf & 0x0F) == 8 && (cmf * 256 + flg) % 31 == 0;
}

// Owns a z_stream set up for inflate and ends it on every path.
class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&stream_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

class Deflater {
 public:
  explicit Deflater(int window_bits) {
    // Level 1: responses are compressed on the request path, where speed
    // matters more than the last few percent of size.
    ok_ = deflateInit2(&stream_, Z_BEST_SPEED, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  bool ok() const { return ok_; }
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

Result<std::string> Inflate(ContentCoding coding, std::string_view data, size_t max_size) {
  const bool gzip = coding == ContentCoding::kGzip;
  const int window_bits = gzip ? kGzipWindowBits : (LooksLikeZlibHeader(data) ? kZlibWindowBits : kRawDeflateWindowBits);
  const std::string_view name = ContentCodingName(coding);
  // Keeps `max_size + 1` (the first byte past the limit) from overflowing.
  max_size = std::min(max_size, std::numeric_limits<size_t>::max() / 2);
  Inflater inflater(window_bits);
  if (!inflater.ok()) return Status::Internal(fmt::format("could not start the {} decoder", name));
  z_stream* stream = inflater.get();

  std::string out;
  out.resize(std::min(max_size, std::max<size_t>(data.size() * 4, 4096)) + 1);
  size_t produced = 0;
  size_t consumed = 0;
  while (true) {
    if (produced == out.size()) {
      if (out.size() > max_size) break;  // already past the limit
      out.resize(std::min(out.size() * 2, max_size + 1));
    }
    const size_t in_chunk = std::min<size_t>(data.size() - consumed, UINT_MAX);
    const size_t out_chunk = std::min<size_t>(out.size() - produced, UINT_MAX);
    stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    stream->avail_in = static_cast<uInt>(in_chunk);
    stream->next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream->avail_out = static_cast<uInt>(out_chunk);
    int rc = inflate(stream, Z_NO_FLUSH);
    consumed += in_chunk - stream->avail_in;
    produced += out_chunk - stream->avail_out;
    if (produced > max_size) break;
    if (rc == Z_STREAM_END) {
      // gzip allows several members back to back; decode them all.
      if (gzip && consumed < data.size()) {
        if (inflateReset(stream) != Z_OK) return Status::Internal("could not restart the gzip decoder");
        continue;
      }
      out.resize(produced);
      return out;
    }
    if (rc == Z_BUF_ERROR && consumed == data.size() && stream->avail_out != 0) {
      return Status::InvalidArgument(fmt::format("{} request body is truncated (ends before the compressed stream does)", name));
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::InvalidArgument(fmt::format("{} request body is not valid {} data: {}", name, name,
                                                 stream->msg != nullptr ? stream->msg : "decode error"));
    }
  }
  return Status::ResourceExhausted(
      fmt::format("{} request body decompresses to more than the maximum input size of {} bytes", name, max_size));
}

}  // namespace

std::string_view ContentCodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kIdentity: return "identity";
    case ContentCoding::kGzip: return "gzip";
    case ContentCoding::kDeflate: return "deflate";
  }
  return "identity";
}

std::optional<ContentCoding> ParseContentEncoding(std::string_view header) {
  header = Trim(header);
  if (header.empty() || EqualsIgnoreCase(header, "identity")) return ContentCoding::kIdentity;
  if (EqualsIgnoreCase(header, "gzip") || EqualsIgnoreCase(header, "x-gzip")) return ContentCoding::kGzip;
  if (EqualsIgnoreCase(header, "deflate")) return ContentCoding::kDeflate;
  return std::nullopt;
}

ContentCoding ChooseResponseCoding(std::string_view accept_encoding) {
  ContentCoding best = ContentCoding::kIdentity;
  double best_q = 0.0;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);

    size_t semicolon = item.find(';');
    std::string_view coding_name = Trim(item.substr(0, semicolon));
    double q = 1.0;
    if (semicolon != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semicolon + 1));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string value(Trim(param.substr(2)));
        char* end = nullptr;
        q = std::strtod(value.c_str(), &end);
        if (end == value.c_str()) q = 0.0;  // unreadable weight: do not pick it
      }
    }

    std::optional<ContentCoding> coding;
    if (EqualsIgnoreCase(coding_name, "gzip") || EqualsIgnoreCase(coding_name, "x-gzip") || coding_name == "*") {
      coding = ContentCoding::kGzip;
    } else if (EqualsIgnoreCase(coding_name, "deflate")) {
      coding = ContentCoding::kDeflate;
    }
    if (coding && q > best_q) {  // strictly greater: the client's order breaks ties
      best = *coding;
      best_q = q;
    }
  }
  return best;
}

Result<std::string> Decompress(ContentCoding coding, std::string_view data, size_t max_size) {
  if (coding == ContentCoding::kIdentity) {
    if (data.size() > max_size) {
      return Status::ResourceExhausted(
          fmt::format("request body of {} bytes exceeds the maximum input size of {} bytes", data.size(), max_size));
    }
    return std::string(data);
  }
  return Inflate(coding, data, max_size);
}

Result<std::string> Compress(ContentCoding coding, std::string_view data) {
  if (coding == ContentCoding::kIdentity) return std::string(data);
  Deflater deflater(coding == ContentCoding::kGzip ? kGzipWindowBits : kZlibWindowBits);
  if (!deflater.ok()) return Status::Internal(fmt::format("could not start the {} encoder", ContentCodingName(coding)));
  z_stream* stream = deflater.get();

  std::string out;
  out.resize(deflateBound(stream, static_cast<uLong>(data.size())));
  size_t consumed = 0;
  size_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (produced == out.size()) out.resize(out.size() * 2 + 64);
    const size_t in_chunk = std::min<size_t>(data.size() - consumed, UINT_MAX);
    const size_t out_chunk = std::min<size_t>(out.size() - produced, UINT_MAX);
    stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    stream->avail_in = static_cast<uInt>(in_chunk);
    stream->next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream->avail_out = static_cast<uInt>(out_chunk);
    const bool last = consumed + in_chunk == data.size();
    rc = deflate(stream, last ? Z_FINISH : Z_NO_FLUSH);
    consumed += in_chunk - stream->avail_in;
    produced += out_chunk - stream->avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Status::Internal(fmt::format("{} encoding failed (zlib error {})", ContentCodingName(coding), rc));
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace inferd::http
