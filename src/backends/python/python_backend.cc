#include "backends/python/python_backend.h"

#include <dlfcn.h>
#include <stdlib.h>

#include <cstdlib>

#include <filesystem>

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "backends/python/python_instance.h"
#include "backends/python/stub_process.h"
#include "backends/sdk/module_config_reader.h"

namespace inferd::python {
namespace {

constexpr auto kDescribeTimeout = std::chrono::minutes(2);

// The folder this module was loaded from (<build>/backends).
std::string ModuleDirectory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&ModuleDirectory), &info) == 0 || info.dli_fname == nullptr) return ".";
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

std::string ChooseInterpreter(const std::string& module_dir) {
  if (const char* chosen = getenv("INFERD_PYTHON"); chosen != nullptr && *chosen != '\0') return chosen;
  std::error_code ignored;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  for (const std::filesystem::path& venv :
       {executable.parent_path().parent_path() / ".venv" / "bin" / "python",
        std::filesystem::path(module_dir).parent_path().parent_path() / ".venv" / "bin" / "python"}) {
    if (std::filesystem::exists(venv, ignored)) return venv.string();
  }
  return "python3";
}

// A model parameter that must be a number in [low, high]; UNAVAILABLE (the
// model does not load) naming it otherwise.
Result<double> NumberParameter(const std::string& text, const char* name, const std::string& subject, double low,
                              double high) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(value >= low && value <= high)) {
    return Status::Unavailable(
        fmt::format("{}: parameter {} must be a number from {} to {}, not '{}'", subject, name, low, high, text));
  }
  return value;
}

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// Triton's JSON form of a config: proto field names, every field printed.
Result<std::string> ConfigJson(const inference::ModelConfig& config, const std::string& subject) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(config, &json, options).ok()) {
    return Status::Internal(fmt::format("{}: cannot write its config as JSON", subject));
  }
  return json;
}

}  // namespace

PythonBackend::PythonBackend() {
  const std::string module_dir = ModuleDirectory();
  interpreter_ = ChooseInterpreter(module_dir);
  stub_script_ = (std::filesystem::path(module_dir) / "python" / "inferd_python_stub.py").string();
}

Result<ModelFileInfo> PythonBackend::DescribeModel(const std::string&) { return ModelFileInfo{}; }

Result<std::string> PythonBackend::CompleteConfigJson(const std::string& model_path,
                                                      const inference::ModelConfig& config) {
  ASSIGN_OR_RETURN(std::string config_json, ConfigJson(config, fmt::format("'{}'", model_path)));
  ASSIGN_OR_RETURN(std::unique_ptr<StubProcess> process, StubProcess::Start(interpreter_, stub_script_, model_path, 0));
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("op");
  writer.String("auto_complete");
  writer.Key("config");
  writer.RawValue(config_json.data(), config_json.size(), rapidjson::kObjectType);
  writer.EndObject();
  RETURN_IF_ERROR(process->Send(FrameKind::kCall, 1, std::string_view(buffer.GetString(), buffer.GetSize()), {}));
  Result<Frame> answered = process->Receive(std::chrono::steady_clock::now() + kDescribeTimeout);
  if (!answered.ok()) {
    return answered.status().WithPrefix(fmt::format("'{}': auto_complete_config (the process {})", model_path,
                                                    process->Reap(true)));
  }
  const Frame& reply = *answered;
  RETURN_IF_ERROR(ReplyError(reply.header, fmt::format("'{}'", model_path)));
  rapidjson::Document answer;
  answer.Parse(reply.header.data(), reply.header.size());
  if (answer.HasParseError() || !answer.IsObject() || !answer.HasMember("config") || !answer["config"].IsObject()) {
    return Status::Internal(fmt::format("'{}': auto_complete_config: the model process answered without a config",
                                        model_path));
  }
  rapidjson::StringBuffer completed;
  rapidjson::Writer<rapidjson::StringBuffer> completed_writer(completed);
  answer["config"].Accept(completed_writer);
  return std::string(completed.GetString(), completed.GetSize());
}

Result<std::unique_ptr<BackendInstance>> PythonBackend::CreateInstance(const std::string& model_path,
                                                                       const inference::ModelConfig& config,
                                                                       const InstanceSettings& settings) {
  const sdk::ModuleConfig module_config = sdk::ReadModuleConfig(config);
  const std::string subject = fmt::format("model '{}'", module_config.model_name);
  if (module_config.parameters.contains("EXECUTION_ENV_PATH")) {
    return Status::Unavailable(fmt::format(
        "{}: parameter EXECUTION_ENV_PATH (a packed conda environment) is not supported; set INFERD_PYTHON to the "
        "interpreter of an environment that has the model's packages", subject));
  }
  StubLaunch launch;
  launch.interpreter = interpreter_;
  launch.stub_script = stub_script_;
  launch.model_file = model_path;
  launch.decoupled = module_config.decoupled;
  if (auto timeout = module_config.parameters.find("execute_timeout_seconds");
      timeout != module_config.parameters.end()) {
    ASSIGN_OR_RETURN(double seconds, NumberParameter(timeout->second, "execute_timeout_seconds", subject, 1e-3, 1e7));
    launch.execute_timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  if (auto bytes = module_config.parameters.find("shm-region-byte-size"); bytes != module_config.parameters.end()) {
    // 0 sends every payload through the socket; a region smaller than a
    // block header would hold nothing.
    ASSIGN_OR_RETURN(double size, NumberParameter(bytes->second, "shm-region-byte-size", subject, 0, 1ull << 40));
    launch.shared_region_bytes = size < 4096 ? 0 : static_cast<size_t>(size);
  }
  ASSIGN_OR_RETURN(std::string config_json, ConfigJson(config, subject));
  // Triton's initialize() args: every value a string.
  const std::filesystem::path file(model_path);
  const std::string version = file.parent_path().filename().string();
  const std::string repository = file.parent_path().parent_path().string();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] :
       std::vector<std::pair<const char*, std::string>>{{"model_config", config_json},
                                                        {"model_instance_kind", settings.gpu ? "GPU" : "CPU"},
                                                        {"model_instance_name", settings.name},
                                                        {"model_instance_device_id", std::to_string(settings.device_id)},
                                                        {"model_repository", repository},
                                                        {"model_version", version},
                                                        {"model_name", module_config.model_name}}) {
    writer.Key(key);
    WriteString(writer, value);
  }
  writer.EndObject();
  return PythonInstance::Create(std::move(launch), subject, buffer.GetString(), settings.infer);
}

}  // namespace inferd::python

// The module's entry points (everything else is hidden: exports.map).
INFERD_BACKEND(inferd::python::PythonBackend)
