#include "protocol/http_json.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "protocol/json_writer.h"

namespace inferd::protocol {
namespace {

void WriteStringArray(JsonWriter& writer, const std::vector<std::string>& values) {
  writer.StartArray();
  for (const std::string& value : values) WriteUntrustedString(writer, value);
  writer.EndArray();
}

void WriteTensorMetadata(JsonWriter& writer, const std::vector<TensorMetadata>& tensors) {
  writer.StartArray();
  for (const TensorMetadata& tensor : tensors) {
    writer.StartObject();
    WriteKey(writer, "name");
    WriteUntrustedString(writer, tensor.name);
    WriteKey(writer, "datatype");
    WriteUntrustedString(writer, tensor.datatype);
    WriteKey(writer, "shape");
    writer.StartArray();
    for (int64_t dim : tensor.shape) writer.Int64(dim);
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
}

void WriteDuration(JsonWriter& writer, const DurationStat& duration) {
  writer.StartObject();
  WriteKey(writer, "count");
  writer.Uint64(duration.count);
  WriteKey(writer, "ns");
  writer.Uint64(duration.ns);
  writer.EndObject();
}

void WriteModelStatistics(JsonWriter& writer, const ModelStatisticsSnapshot& stat) {
  writer.StartObject();
  WriteKey(writer, "name");
  WriteUntrustedString(writer, stat.name);
  WriteKey(writer, "version");
  WriteString(writer, std::to_string(stat.version));
  WriteKey(writer, "last_inference");
  writer.Uint64(stat.last_inference_ms);
  WriteKey(writer, "inference_count");
  writer.Uint64(stat.inference_count);
  WriteKey(writer, "execution_count");
  writer.Uint64(stat.execution_count);

  WriteKey(writer, "inference_stats");
  writer.StartObject();
  WriteKey(writer, "success");
  WriteDuration(writer, stat.success);
  WriteKey(writer, "fail");
  WriteDuration(writer, stat.fail);
  WriteKey(writer, "queue");
  WriteDuration(writer, stat.queue);
  WriteKey(writer, "compute_input");
  WriteDuration(writer, stat.compute_input);
  WriteKey(writer, "compute_infer");
  WriteDuration(writer, stat.compute_infer);
  WriteKey(writer, "compute_output");
  WriteDuration(writer, stat.compute_output);
  WriteKey(writer, "cache_hit");
  WriteDuration(writer, stat.cache_hit);
  WriteKey(writer, "cache_miss");
  WriteDuration(writer, stat.cache_miss);
  writer.EndObject();

  WriteKey(writer, "batch_stats");
  writer.StartArray();
  for (const BatchStat& batch : stat.batch_stats) {
    writer.StartObject();
    WriteKey(writer, "batch_size");
    writer.Uint64(batch.batch_size);
    WriteKey(writer, "compute_input");
    WriteDuration(writer, batch.compute_input);
    WriteKey(writer, "compute_infer");
    WriteDuration(writer, batch.compute_infer);
    WriteKey(writer, "compute_output");
    WriteDuration(writer, batch.compute_output);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
}

}  // namespace

std::string ErrorJson(std::string_view message) {
  std::string json;
  json.reserve(message.size() + 16);
  StringOutputStream stream(&json);
  JsonWriter writer(stream);
  writer.StartObject();
  WriteKey(writer, "error");
  WriteUntrustedString(writer, message);
  writer.EndObject();
  return json;
}

std::string ServerMetadataJson(const std::string& name, const std::string& version,
                               const std::vector<std::string>& extensions) {
  std::string json;
  StringOutputStream stream(&json);
  JsonWriter writer(stream);
  writer.StartObject();
  WriteKey(writer, "name");
  WriteUntrustedString(writer, name);
  WriteKey(writer, "version");
  WriteUntrustedString(writer, version);
  WriteKey(writer, "extensions");
  WriteStringArray(writer, extensions);
  writer.EndObject();
  return json;
}

std::string ModelMetadataJson(const ModelMetadata& metadata) {
  std::string json;
  StringOutputStream stream(&json);
  JsonWriter writer(stream);
  writer.StartObject();
  WriteKey(writer, "name");
  WriteUntrustedString(writer, metadata.name);
  WriteKey(writer, "versions");
  WriteStringArray(writer, metadata.versions);
  WriteKey(writer, "platform");
  WriteUntrustedString(writer, metadata.platform);
  WriteKey(writer, "inputs");
  WriteTensorMetadata(writer, metadata.inputs);
  WriteKey(writer, "outputs");
  WriteTensorMetadata(writer, metadata.outputs);
  writer.EndObject();
  return json;
}

std::string RepositoryIndexJson(const std::vector<ModelIndexEntry>& entries) {
  std::string json;
  StringOutputStream stream(&json);
  JsonWriter writer(stream);
  writer.StartArray();
  for (const ModelIndexEntry& entry : entries) {
    writer.StartObject();
    WriteKey(writer, "name");
    WriteUntrustedString(writer, entry.name);
    if (!entry.version.empty()) {
      WriteKey(writer, "version");
      WriteUntrustedString(writer, entry.version);
    }
    // A model never loaded is listed by name alone, as Triton lists it.
    if (!entry.state.empty()) {
      WriteKey(writer, "state");
      WriteUntrustedString(writer, entry.state);
    }
    if (!entry.reason.empty()) {
      WriteKey(writer, "reason");
      WriteUntrustedString(writer, entry.reason);
    }
    writer.EndObject();
  }
  writer.EndArray();
  return json;
}

std::string ModelStatisticsJson(const std::vector<ModelStatisticsSnapshot>& stats) {
  std::string json;
  json.reserve(256 + stats.size() * 640);
  StringOutputStream stream(&json);
  JsonWriter writer(stream);
  writer.StartObject();
  WriteKey(writer, "model_stats");
  writer.StartArray();
  for (const ModelStatisticsSnapshot& stat : stats) WriteModelStatistics(writer, stat);
  writer.EndArray();
  writer.EndObject();
  return json;
}

Result<bool> ParseRepositoryIndexReady(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (document.HasParseError()) {
    return Status::InvalidArgument(fmt::format("repository index request: malformed JSON at offset {}: {}",
                                               document.GetErrorOffset(),
                                               rapidjson::GetParseError_En(document.GetParseError())));
  }
  if (!document.IsObject()) {
    return Status::InvalidArgument("repository index request: the body must be a JSON object such as {\"ready\": true}");
  }
  const auto ready = document.FindMember("ready");
  if (ready == document.MemberEnd()) return false;
  if (!ready->value.IsBool()) {
    return Status::InvalidArgument("repository index request: \"ready\" must be true or false");
  }
  return ready->value.GetBool();
}

}  // namespace inferd::protocol
