#include "scheduler/batch_tensors.h"

#include <cstring>
#include <numeric>

#include <fmt/format.h>

namespace inferd {
namespace {

const Tensor* FindInput(const InferenceRequest& request, const std::string& name) {
  for (const Tensor& input : request.inputs) {
    if (input.name == name) return &input;
  }
  return nullptr;
}

bool SameRowShape(const Shape& a, const Shape& b) {
  return a.size() == b.size() && !a.empty() && std::equal(a.begin() + 1, a.end(), b.begin() + 1);
}

// Byte offsets of the row boundaries of `output`: offsets[i] is where the
// first row of slice i starts, offsets.back() the end of the buffer.
Result<std::vector<size_t>> RowOffsets(const Tensor& output, const std::vector<int64_t>& rows, int64_t total_rows) {
  std::vector<size_t> offsets;
  offsets.reserve(rows.size() + 1);
  offsets.push_back(0);
  if (output.datatype != DataType::kBytes) {
    if (output.byte_size % static_cast<size_t>(total_rows) != 0) {
      return Status::Internal(fmt::format("output '{}': {} bytes do not divide into {} rows", output.name,
                                          output.byte_size, total_rows));
    }
    const size_t row_bytes = output.byte_size / static_cast<size_t>(total_rows);
    for (int64_t slice_rows : rows) offsets.push_back(offsets.back() + row_bytes * static_cast<size_t>(slice_rows));
    return offsets;
  }
  const int64_t elements = ElementCount(output.shape);
  const int64_t per_row = elements / total_rows;
  // Element indexes where each slice after the first begins.
  std::vector<int64_t> boundaries;
  int64_t row_sum = 0;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    row_sum += rows[i];
    boundaries.push_back(row_sum * per_row);
  }
  int64_t index = 0;
  size_t next_boundary = 0;
  Status walked = ForEachBytesElement(output.bytes(), elements, output.name, [&](std::string_view element) {
    if (next_boundary < boundaries.size() && index == boundaries[next_boundary]) {
      // The element's length prefix sits just before its bytes.
      offsets.push_back(static_cast<size_t>(element.data() - output.data) - 4);
      ++next_boundary;
    }
    ++index;
  });
  if (!walked.ok()) return walked;
  // Boundaries past the last element (empty trailing slices) start at the end.
  while (offsets.size() < rows.size()) offsets.push_back(output.byte_size);
  offsets.push_back(output.byte_size);
  return offsets;
}

}  // namespace

bool CanShareBatch(const InferenceRequest& a, const InferenceRequest& b) {
  if (a.inputs.size() != b.inputs.size()) return false;
  for (const Tensor& input : a.inputs) {
    const Tensor* other = FindInput(b, input.name);
    if (other == nullptr || other->datatype != input.datatype || !SameRowShape(input.shape, other->shape)) {
      return false;
    }
  }
  return true;
}

Result<std::vector<Tensor>> GatherInputs(const std::vector<const InferenceRequest*>& requests) {
  std::vector<Tensor> batch;
  if (requests.empty()) return batch;
  const InferenceRequest& first = *requests.front();
  batch.reserve(first.inputs.size());
  for (const Tensor& model_input : first.inputs) {
    std::vector<const Tensor*> parts;
    parts.reserve(requests.size());
    size_t total_bytes = 0;
    int64_t total_rows = 0;
    for (const InferenceRequest* request : requests) {
      const Tensor* part = FindInput(*request, model_input.name);
      if (part == nullptr || part->shape.empty()) {
        return Status::Internal(
            fmt::format("input '{}': a batched request lacks it or has no batch dimension", model_input.name));
      }
      parts.push_back(part);
      total_bytes += part->byte_size;
      total_rows += part->shape.front();
    }
    // One uninitialised buffer, written once.
    std::shared_ptr<char[]> buffer(new char[std::max<size_t>(total_bytes, 1)]);
    size_t offset = 0;
    for (const Tensor* part : parts) {
      if (part->byte_size > 0) std::memcpy(buffer.get() + offset, part->data, part->byte_size);
      offset += part->byte_size;
    }
    Tensor gathered;
    gathered.name = model_input.name;
    gathered.datatype = model_input.datatype;
    gathered.shape = model_input.shape;
    gathered.shape.front() = total_rows;
    gathered.data = buffer.get();
    gathered.byte_size = total_bytes;
    gathered.owner = std::move(buffer);
    batch.push_back(std::move(gathered));
  }
  return batch;
}

Result<std::vector<std::vector<Tensor>>> ScatterOutputs(const std::vector<Tensor>& outputs,
                                                        const std::vector<int64_t>& rows) {
  const int64_t total_rows = std::accumulate(rows.begin(), rows.end(), int64_t{0});
  std::vector<std::vector<Tensor>> slices(rows.size());
  for (auto& slice : slices) slice.reserve(outputs.size());
  for (const Tensor& output : outputs) {
    if (output.shape.empty() || output.shape.front() != total_rows || total_rows <= 0) {
      return Status::Internal(fmt::format(
          "output '{}' has shape {}; a batch of {} rows needs the batch size as its first dimension", output.name,
          ShapeToString(output.shape), total_rows));
    }
    ASSIGN_OR_RETURN(std::vector<size_t> offsets, RowOffsets(output, rows, total_rows));
    for (size_t i = 0; i < rows.size(); ++i) {
      Tensor slice;
      slice.name = output.name;
      slice.datatype = output.datatype;
      slice.shape = output.shape;
      slice.shape.front() = rows[i];
      slice.data = output.data + (offsets)[i];
      slice.byte_size = (offsets)[i + 1] - (offsets)[i];
      slice.owner = output.owner;
      slices[i].push_back(std::move(slice));
    }
  }
  return slices;
}

}  // namespace inferd
