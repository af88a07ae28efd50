"""Small ONNX graphs used as test models.

Every graph is opset 13 / IR version 8 so that both the PyPI onnxruntime used
as the reference here and the C++ ONNX Runtime inside inferd load it.
The builders return `onnx.ModelProto`; writing files and configs is the job of
repositories.py.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 8

# Triton datatype name -> (ONNX element type, numpy dtype, config.pbtxt type).
DATATYPES = {
    "BOOL": (TensorProto.BOOL, np.bool_, "TYPE_BOOL"),
    "UINT8": (TensorProto.UINT8, np.uint8, "TYPE_UINT8"),
    "UINT16": (TensorProto.UINT16, np.uint16, "TYPE_UINT16"),
    "UINT32": (TensorProto.UINT32, np.uint32, "TYPE_UINT32"),
    "UINT64": (TensorProto.UINT64, np.uint64, "TYPE_UINT64"),
    "INT8": (TensorProto.INT8, np.int8, "TYPE_INT8"),
    "INT16": (TensorProto.INT16, np.int16, "TYPE_INT16"),
    "INT32": (TensorProto.INT32, np.int32, "TYPE_INT32"),
    "INT64": (TensorProto.INT64, np.int64, "TYPE_INT64"),
    "FP16": (TensorProto.FLOAT16, np.float16, "TYPE_FP16"),
    "FP32": (TensorProto.FLOAT, np.float32, "TYPE_FP32"),
    "FP64": (TensorProto.DOUBLE, np.float64, "TYPE_FP64"),
    "BYTES": (TensorProto.STRING, np.object_, "TYPE_STRING"),
}


def _finish(graph):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="inferd-integration-tests",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def _shape(batched, dims):
    """ONNX shape: a symbolic leading batch dim when the model batches;
    -1 dims become symbolic too so ONNX Runtime accepts any size there."""
    shape = ["batch"] if batched else []
    for index, dim in enumerate(dims):
        shape.append(f"d{index}" if dim < 0 else dim)
    return shape


def identity_model(datatype, batched, dims):
    """INPUT0 -> OUTPUT0 unchanged, for one datatype."""
    elem_type = DATATYPES[datatype][0]
    shape = _shape(batched, dims)
    graph = helper.make_graph(
        [helper.make_node("Identity", ["INPUT0"], ["OUTPUT0"])],
        f"identity_{datatype.lower()}",
        [helper.make_tensor_value_info("INPUT0", elem_type, shape)],
        [helper.make_tensor_value_info("OUTPUT0", elem_type, shape)],
    )
    return _finish(graph)


def add_sub_model(datatype, batched, dims):
    """Triton's classic `simple` shape: OUTPUT0 = INPUT0 + INPUT1 and
    OUTPUT1 = INPUT0 - INPUT1. Used where a test needs two outputs."""
    elem_type = DATATYPES[datatype][0]
    shape = _shape(batched, dims)
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
            helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]),
        ],
        "add_sub",
        [
            helper.make_tensor_value_info("INPUT0", elem_type, shape),
            helper.make_tensor_value_info("INPUT1", elem_type, shape),
        ],
        [
            helper.make_tensor_value_info("OUTPUT0", elem_type, shape),
            helper.make_tensor_value_info("OUTPUT1", elem_type, shape),
        ],
    )
    return _finish(graph)


def softmax_classifier_model(num_classes):
    """INPUT0 FP32 [batch, num_classes] -> PROBS = softmax(INPUT0); its
    config attaches a label file so the classification extension can be used."""
    shape = ["batch", num_classes]
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["INPUT0"], ["PROBS"], axis=-1)],
        "softmax_classifier",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("PROBS", TensorProto.FLOAT, shape)],
    )
    return _finish(graph)


def _const(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def text_detection_stand_in(seed=7):
    """Stand-in for the report's EAST text detector with its exact tensor
    names: `input_images:0` NHWC [-1,-1,-1,3] -> scores
    `feature_fusion/Conv_7/Sigmoid:0` [N,H/4,W/4,1] and geometry
    `feature_fusion/concat_3:0` [N,H/4,W/4,5], like the real network (which
    downsamples by 4). Real arithmetic (pool + 1x1 convs) so a wrong byte
    order or layout in the server shows up as wrong numbers."""
    rng = np.random.default_rng(seed)
    initializers = [
        _const("score_w", rng.normal(size=(1, 3, 1, 1))),
        _const("score_b", rng.normal(size=(1,))),
        _const("geo_w", rng.normal(size=(4, 3, 1, 1))),
        _const("geo_b", rng.normal(size=(4,))),
        _const("angle_w", rng.normal(size=(1, 3, 1, 1))),
    ]
    nodes = [
        helper.make_node("Transpose", ["input_images:0"], ["nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("AveragePool", ["nchw"], ["pooled"], kernel_shape=[4, 4], strides=[4, 4]),
        helper.make_node("Conv", ["pooled", "score_w", "score_b"], ["score_logits"]),
        helper.make_node("Transpose", ["score_logits"], ["score_nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Sigmoid", ["score_nhwc"], ["feature_fusion/Conv_7/Sigmoid:0"]),
        helper.make_node("Conv", ["pooled", "geo_w", "geo_b"], ["geo_nchw"]),
        helper.make_node("Transpose", ["geo_nchw"], ["geo_nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Conv", ["pooled", "angle_w"], ["angle_nchw"]),
        helper.make_node("Tanh", ["angle_nchw"], ["angle_tanh"]),
        helper.make_node("Transpose", ["angle_tanh"], ["angle_nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Concat", ["geo_nhwc", "angle_nhwc"], ["feature_fusion/concat_3:0"], axis=3),
    ]
    graph = helper.make_graph(
        nodes,
        "text_detection_stand_in",
        [helper.make_tensor_value_info("input_images:0", TensorProto.FLOAT, ["n", "h", "w", 3])],
        [
            helper.make_tensor_value_info(
                "feature_fusion/Conv_7/Sigmoid:0", TensorProto.FLOAT, ["n", "h4", "w4", 1]),
            helper.make_tensor_value_info(
                "feature_fusion/concat_3:0", TensorProto.FLOAT, ["n", "h4", "w4", 5]),
        ],
        initializer=initializers,
    )
    return _finish(graph)


def text_recognition_stand_in(seed=11):
    """Stand-in for the report's CTC text recognizer with its exact tensor
    names and shapes: `input.1` FP32 [1,1,32,100] -> `308` FP32 [1,26,37]
    (26 time steps of 37-class probabilities). A [32,4] conv with stride 4
    and 2 columns of padding on each side gives exactly 26 steps."""
    rng = np.random.default_rng(seed)
    initializers = [
        _const("rec_w", rng.normal(scale=0.1, size=(37, 1, 32, 4))),
        _const("rec_b", rng.normal(size=(37,))),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "squeeze_axes"),
    ]
    nodes = [
        helper.make_node("Conv", ["input.1", "rec_w", "rec_b"], ["conv_out"],
                         strides=[1, 4], pads=[0, 2, 0, 2]),          # [1,37,1,26]
        helper.make_node("Squeeze", ["conv_out", "squeeze_axes"], ["squeezed"]),  # [1,37,26]
        helper.make_node("Transpose", ["squeezed"], ["steps"], perm=[0, 2, 1]),    # [1,26,37]
        helper.make_node("Softmax", ["steps"], ["308"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "text_recognition_stand_in",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 1, 32, 100])],
        [helper.make_tensor_value_info("308", TensorProto.FLOAT, [1, 26, 37])],
        initializer=initializers,
    )
    return _finish(graph)
