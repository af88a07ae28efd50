// In-process ONNX Runtime anchor for `make bench`: runs one FP32 model
// input through a single session, back to back, with the same thread
// settings the server uses, and prints throughput and latency percentiles
// as one JSON line. The served figures are compared against this.
//
//   inprocess_ort --model det.onnx --input x --shape 1,3,640,640 --threads 2 --seconds 10
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <onnxruntime_cxx_api.h>

namespace {

std::vector<int64_t> ParseShape(const std::string& text) {
  std::vector<int64_t> shape;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    shape.push_back(std::stoll(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return shape;
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"In-process ONNX Runtime throughput anchor"};
  std::string model_path, input_name, shape_text;
  int threads = 0;
  double seconds = 10, warmup_seconds = 3;
  app.add_option("--model", model_path, "ONNX model file")->required();
  app.add_option("--input", input_name, "input tensor name")->required();
  app.add_option("--shape", shape_text, "input shape, comma separated")->required();
  app.add_option("--threads", threads, "intra-op threads (0: ONNX Runtime default)");
  app.add_option("--seconds", seconds, "measurement time");
  app.add_option("--warmup", warmup_seconds, "warm-up time");
  CLI11_PARSE(app, argc, argv);

  Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "inprocess_ort");
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(threads);
  options.SetInterOpNumThreads(1);
  Ort::Session session(env, model_path.c_str(), options);
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<std::string> output_names;
  for (size_t i = 0; i < session.GetOutputCount(); ++i) {
    output_names.push_back(session.GetOutputNameAllocated(i, allocator).get());
  }
  std::vector<const char*> output_pointers;
  for (const auto& name : output_names) output_pointers.push_back(name.c_str());

  std::vector<int64_t> shape = ParseShape(shape_text);
  size_t count = 1;
  for (int64_t dim : shape) count *= static_cast<size_t>(dim);
  std::vector<float> data(count);
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  for (float& value : data) value = uniform(random);
  Ort::MemoryInfo memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  const char* input_names[] = {input_name.c_str()};

  auto run_for = [&](double duration, std::vector<double>* latencies_ms) {
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration<double>(duration);
    size_t runs = 0;
    while (std::chrono::steady_clock::now() < end) {
      const auto before = std::chrono::steady_clock::now();
      Ort::Value input = Ort::Value::CreateTensor<float>(memory, data.data(), data.size(), shape.data(), shape.size());
      auto outputs = session.Run(Ort::RunOptions{nullptr}, input_names, &input, 1, output_pointers.data(),
                                 output_pointers.size());
      const auto after = std::chrono::steady_clock::now();
      if (latencies_ms) latencies_ms->push_back(std::chrono::duration<double, std::milli>(after - before).count());
      ++runs;
    }
    return std::pair{runs, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  };

  run_for(warmup_seconds, nullptr);
  std::vector<double> latencies;
  auto [runs, elapsed] = run_for(seconds, &latencies);
  std::printf(
      "{\"model\":\"%s\",\"shape\":\"%s\",\"threads\":%d,\"runs\":%zu,\"seconds\":%.3f,"
      "\"throughput\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
      model_path.c_str(), shape_text.c_str(), threads, runs, elapsed, static_cast<double>(runs) / elapsed,
      Percentile(latencies, 0.50), Percentile(latencies, 0.99));
  return 0;
}
