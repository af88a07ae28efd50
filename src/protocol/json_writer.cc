#include "protocol/json_writer.h"

#include <cmath>
#include <type_traits>
#include <variant>

#include "protocol/utf8.h"

namespace inferd::protocol {

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteUntrustedString(JsonWriter& writer, std::string_view text) {
  if (IsValidUtf8(text)) {
    WriteString(writer, text);
  } else {
    WriteString(writer, ToValidUtf8(text));
  }
}

void WriteDouble(JsonWriter& writer, double value) {
  AppendShortest(writer.BeginRawValue(rapidjson::kNumberType), value);
}

void WriteParameters(JsonWriter& writer, const Parameters& parameters) {
  writer.StartObject();
  for (const auto& [name, value] : parameters) {
    // Parameters may come from a backend; odd bytes there must not break the
    // whole response.
    WriteUntrustedString(writer, name);
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, bool>) {
            writer.Bool(v);
          } else if constexpr (std::is_same_v<V, int64_t>) {
            writer.Int64(v);
          } else if constexpr (std::is_same_v<V, double>) {
            if (std::isfinite(v)) {
              WriteDouble(writer, v);
            } else {
              writer.Null();  // JSON has no NaN or infinity
            }
          } else {
            WriteUntrustedString(writer, v);
          }
        },
        value);
  }
  writer.EndObject();
}

}  // namespace inferd::protocol
