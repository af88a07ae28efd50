// Small ONNX models written byte by byte, for the backend tests.
//
// An ONNX file is a serialized onnx.ModelProto. Encoding the handful of
// fields these models need directly keeps the tests free of Python and of
// the onnx package, so they run (and can fail) on every machine.
// Models use IR version 8 and opset 13, as the example models do.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace inferd::ort::testing {

// onnx.TensorProto.DataType values (ONNX Runtime uses the same numbers).
enum OnnxElementType : int {
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxUint16 = 4,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxString = 8,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
  kOnnxUint32 = 12,
  kOnnxUint64 = 13,
  kOnnxBfloat16 = 16,
};

// A dimension is a fixed size or a symbolic name ("batch").
using OnnxDim = std::variant<int64_t, std::string>;

struct OnnxValueDecl {
  std::string name;
  int element_type = kOnnxFloat;
  std::vector<OnnxDim> dims;
};

struct OnnxNode {
  std::string op_type;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, int64_t>> int_attributes;  // e.g. {"to", kOnnxInt32} for Cast
};

// The serialized ModelProto.
std::string BuildOnnxModel(const std::vector<OnnxNode>& nodes, const std::vector<OnnxValueDecl>& inputs,
                           const std::vector<OnnxValueDecl>& outputs);

// INPUT0 -> Identity -> OUTPUT0, shape ["batch", 3].
std::string IdentityModel(int element_type);
// Triton's "simple": INPUT0, INPUT1 -> OUTPUT0 = sum, OUTPUT1 = difference,
// shape ["batch", 16].
std::string AddSubModel(int element_type);
// "simple_string": decimal text in, decimal text out (Cast, Add/Sub, Cast).
std::string StringAddSubModel();

// Writes `bytes` to `path`; false on failure.
bool WriteFile(const std::string& path, const std::string& bytes);

}  // namespace inferd::ort::testing
