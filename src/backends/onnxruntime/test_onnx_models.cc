#include "backends/onnxruntime/test_onnx_models.h"

#include <fstream>

namespace inferd::ort::testing {
namespace {

// Minimal protobuf wire-format writer: varints and length-delimited fields
// are all an ONNX model needs.
class ProtoWriter {
 public:
  ProtoWriter& Int(int field, int64_t value) {
    Key(field, 0);
    Varint(static_cast<uint64_t>(value));
    return *this;
  }
  ProtoWriter& Bytes(int field, const std::string& value) {
    Key(field, 2);
    Varint(value.size());
    out_ += value;
    return *this;
  }
  ProtoWriter& Message(int field, const ProtoWriter& message) { return Bytes(field, message.out_); }
  const std::string& str() const { return out_; }

 private:
  void Key(int field, int wire_type) { Varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void Varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  std::string out_;
};

// Field numbers from onnx.proto.
namespace field {
constexpr int kModelIrVersion = 1, kModelProducerName = 2, kModelGraph = 7, kModelOpsetImport = 8;
constexpr int kOpsetVersion = 2;
constexpr int kGraphNode = 1, kGraphName = 2, kGraphInput = 11, kGraphOutput = 12;
constexpr int kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5;
constexpr int kAttributeName = 1, kAttributeInt = 3, kAttributeType = 20;
constexpr int kAttributeTypeInt = 2;
constexpr int kValueInfoName = 1, kValueInfoType = 2;
constexpr int kTypeTensor = 1;
constexpr int kTensorTypeElemType = 1, kTensorTypeShape = 2;
constexpr int kShapeDim = 1;
constexpr int kDimValue = 1, kDimParam = 2;
}  // namespace field

ProtoWriter ValueInfo(const OnnxValueDecl& decl) {
  ProtoWriter shape;
  for (const OnnxDim& dim : decl.dims) {
    ProtoWriter d;
    if (std::holds_alternative<int64_t>(dim)) {
      d.Int(field::kDimValue, std::get<int64_t>(dim));
    } else {
      d.Bytes(field::kDimParam, std::get<std::string>(dim));
    }
    shape.Message(field::kShapeDim, d);
  }
  ProtoWriter tensor_type;
  tensor_type.Int(field::kTensorTypeElemType, decl.element_type).Message(field::kTensorTypeShape, shape);
  ProtoWriter type;
  type.Message(field::kTypeTensor, tensor_type);
  ProtoWriter info;
  info.Bytes(field::kValueInfoName, decl.name).Message(field::kValueInfoType, type);
  return info;
}

}  // namespace

std::string BuildOnnxModel(const std::vector<OnnxNode>& nodes, const std::vector<OnnxValueDecl>& inputs,
                           const std::vector<OnnxValueDecl>& outputs) {
  ProtoWriter graph;
  int node_index = 0;
  for (const OnnxNode& node : nodes) {
    ProtoWriter n;
    for (const std::string& input : node.inputs) n.Bytes(field::kNodeInput, input);
    for (const std::string& output : node.outputs) n.Bytes(field::kNodeOutput, output);
    n.Bytes(field::kNodeName, node.op_type + "_" + std::to_string(node_index++));
    n.Bytes(field::kNodeOpType, node.op_type);
    for (const auto& [name, value] : node.int_attributes) {
      ProtoWriter attribute;
      attribute.Bytes(field::kAttributeName, name)
          .Int(field::kAttributeInt, value)
          .Int(field::kAttributeType, field::kAttributeTypeInt);
      n.Message(field::kNodeAttribute, attribute);
    }
    graph.Message(field::kGraphNode, n);
  }
  graph.Bytes(field::kGraphName, "inferd_test");
  for (const OnnxValueDecl& input : inputs) graph.Message(field::kGraphInput, ValueInfo(input));
  for (const OnnxValueDecl& output : outputs) graph.Message(field::kGraphOutput, ValueInfo(output));

  ProtoWriter opset;
  opset.Int(field::kOpsetVersion, 13);
  ProtoWriter model;
  model.Int(field::kModelIrVersion, 8)
      .Bytes(field::kModelProducerName, "inferd-test")
      .Message(field::kModelGraph, graph)
      .Message(field::kModelOpsetImport, opset);
  return model.str();
}

std::string IdentityModel(int element_type) {
  const std::vector<OnnxDim> dims = {std::string("batch"), int64_t{3}};
  return BuildOnnxModel({{"Identity", {"INPUT0"}, {"OUTPUT0"}, {}}}, {{"INPUT0", element_type, dims}},
                        {{"OUTPUT0", element_type, dims}});
}

std::string AddSubModel(int element_type) {
  const std::vector<OnnxDim> dims = {std::string("batch"), int64_t{16}};
  return BuildOnnxModel({{"Add", {"INPUT0", "INPUT1"}, {"OUTPUT0"}, {}}, {"Sub", {"INPUT0", "INPUT1"}, {"OUTPUT1"}, {}}},
                        {{"INPUT0", element_type, dims}, {"INPUT1", element_type, dims}},
                        {{"OUTPUT0", element_type, dims}, {"OUTPUT1", element_type, dims}});
}

std::string StringAddSubModel() {
  const std::vector<OnnxDim> dims = {std::string("batch"), int64_t{16}};
  return BuildOnnxModel(
      {
          {"Cast", {"INPUT0"}, {"a"}, {{"to", kOnnxInt32}}},
          {"Cast", {"INPUT1"}, {"b"}, {{"to", kOnnxInt32}}},
          {"Add", {"a", "b"}, {"sum"}, {}},
          {"Sub", {"a", "b"}, {"difference"}, {}},
          {"Cast", {"sum"}, {"OUTPUT0"}, {{"to", kOnnxString}}},
          {"Cast", {"difference"}, {"OUTPUT1"}, {{"to", kOnnxString}}},
      },
      {{"INPUT0", kOnnxString, dims}, {"INPUT1", kOnnxString, dims}},
      {{"OUTPUT0", kOnnxString, dims}, {"OUTPUT1", kOnnxString, dims}});
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

}  // namespace inferd::ort::testing
