#include "core/model_warmup.h"

#include <chrono>
#include <cstring>
#include <future>
#include <random>

#include <fmt/format.h>

#include "common/logging.h"
#include "config/data_type_conversion.h"
#include "core/request_validator.h"

namespace inferd {
namespace {

// A sample that has not finished by then has hung: the load fails rather
// than holding a load thread for ever.
constexpr auto kSampleTimeout = std::chrono::minutes(5);

// Random values of each element type that are valid numbers (no NaN from
// random float bits) and valid bools.
std::string RandomBytes(DataType type, int64_t elements, std::mt19937& random) {
  const size_t size = DataTypeByteSize(type);
  std::string bytes(static_cast<size_t>(elements) * size, '\0');
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t i = 0; i < elements; ++i) {
    char* element = bytes.data() + i * size;
    if (type == DataType::kFp32) {
      const float value = static_cast<float>(unit(random));
      std::memcpy(element, &value, sizeof value);
    } else if (type == DataType::kFp64) {
      const double value = unit(random);
      std::memcpy(element, &value, sizeof value);
    } else if (type == DataType::kFp16 || type == DataType::kBf16) {
      // A value in [1, 2): exponent of 1, random mantissa bits.
      const uint16_t value = type == DataType::kFp16 ? static_cast<uint16_t>(0x3C00 | (random() & 0x3FF))
                                                     : static_cast<uint16_t>(0x3F80 | (random() & 0x7F));
      std::memcpy(element, &value, sizeof value);
    } else if (type == DataType::kBool) {
      element[0] = static_cast<char>(random() & 1);
    } else {
      for (size_t b = 0; b < size; ++b) element[b] = static_cast<char>(random());
    }
  }
  return bytes;
}

// One row of input `name` (the dims of the sample, no batch dimension).
Result<std::string> SampleRow(const std::string& name, const inference::ModelWarmup::Input& input, DataType type,
                              int64_t elements, const WarmupFileReader& read_file, std::mt19937& random) {
  const bool bytes_type = type == DataType::kBytes;
  switch (input.input_data_type_case()) {
    case inference::ModelWarmup::Input::kZeroData:
    case inference::ModelWarmup::Input::kRandomData:
      // BYTES elements are empty strings either way (a 4-byte zero length each).
      if (bytes_type) return std::string(static_cast<size_t>(elements) * 4, '\0');
      if (input.input_data_type_case() == inference::ModelWarmup::Input::kZeroData) {
        return std::string(static_cast<size_t>(elements) * DataTypeByteSize(type), '\0');
      }
      return RandomBytes(type, elements, random);
    case inference::ModelWarmup::Input::kInputDataFile: {
      ASSIGN_OR_RETURN(std::string data, read_file(input.input_data_file()));
      if (bytes_type) return data;  // length-prefixed elements, as in a request
      const size_t needed = static_cast<size_t>(elements) * DataTypeByteSize(type);
      if (data.size() < needed) {
        return Status::InvalidArgument(fmt::format(
            "input '{}' of the warmup setting expects {} bytes, but the data provided from {} only has {} bytes", name,
            needed, input.input_data_file(), data.size()));
      }
      data.resize(needed);
      return data;
    }
    case inference::ModelWarmup::Input::INPUT_DATA_TYPE_NOT_SET: break;
  }
  return Status::InvalidArgument(fmt::format(
      "the warmup setting expects input '{}' to have input_data_type set (zero_data, random_data or "
      "input_data_file)", name));
}

Result<InferenceRequest> SampleRequest(const Model& model, const inference::ModelWarmup& sample,
                                       const WarmupFileReader& read_file) {
  const bool batching = model.config().max_batch_size() > 0;
  if (!batching && sample.batch_size() != 1) {
    return Status::InvalidArgument(
        fmt::format("batch_size must be 1 for a model without batching (max_batch_size 0), got {}", sample.batch_size()));
  }
  InferenceRequest request;
  request.model_name = model.name();
  request.model_version = model.version();
  std::mt19937 random(0x5eed);
  for (const auto& [name, input] : sample.inputs()) {
    std::optional<DataType> type = config::DataTypeFromConfig(input.data_type());
    if (!type || *type == DataType::kInvalid) {
      return Status::InvalidArgument(fmt::format("input '{}' of the warmup setting has no valid data_type", name));
    }
    Shape row_shape(input.dims().begin(), input.dims().end());
    for (int64_t dim : row_shape) {
      if (dim < 0) {
        return Status::InvalidArgument(fmt::format(
            "warmup setting expects all variable-size dimensions are specified for input '{}'", name));
      }
    }
    ASSIGN_OR_RETURN(std::string row, SampleRow(name, input, *type, ElementCount(row_shape), read_file, random));
    Shape shape = row_shape;
    std::string data;
    if (batching) {
      shape.insert(shape.begin(), sample.batch_size());
      for (uint32_t i = 0; i < sample.batch_size(); ++i) data += row;
    } else {
      data = std::move(row);
    }
    request.inputs.push_back(Tensor::FromBuffer(name, *type, std::move(shape), std::move(data)));
  }
  return request;
}

Status RunSample(Model& model, const inference::ModelWarmup& sample, const WarmupFileReader& read_file) {
  ASSIGN_OR_RETURN(InferenceRequest request, SampleRequest(model, sample, read_file));
  ASSIGN_OR_RETURN(int64_t batch_size, ValidateInferenceRequest(request, model.config()));
  const uint32_t runs = std::max<uint32_t>(1, sample.count());
  for (uint32_t run = 0; run < runs; ++run) {
    auto answered = std::make_shared<std::promise<Status>>();
    std::future<Status> answer = answered->get_future();
    auto job = std::make_unique<InferJob>();
    job->batch_size = batch_size;
    job->request = request;
    job->done = [answered](Result<InferenceResponse> result) { answered->set_value(result.status()); };
    model.Enqueue(std::move(job));
    if (answer.wait_for(kSampleTimeout) != std::future_status::ready) {
      return Status::DeadlineExceeded("the sample did not finish within 5 minutes");
    }
    RETURN_IF_ERROR(answer.get());
  }
  return Status::Ok();
}

}  // namespace

Status WarmUp(Model& model, const WarmupFileReader& read_file) {
  for (const inference::ModelWarmup& sample : model.config().model_warmup()) {
    if (sample.batch_size() == 0) {
      LogInfo("model '{}': skipping warmup sample '{}' (batch_size 0)", model.name(), sample.name());
      continue;
    }
    Status status = RunSample(model, sample, read_file);
    if (!status.ok()) {
      // Triton's words.
      return Status::InvalidArgument(
          fmt::format("failed to run warmup sample '{}': {}", sample.name(), status.message()));
    }
  }
  model.statistics().Reset();
  return Status::Ok();
}

}  // namespace inferd
