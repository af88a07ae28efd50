"""A stand-in for Triton's quickstart repository (server
docs/examples/model_repository), generated at test time.

The folder layout, model names, tensor names, datatypes, formats, dims,
reshapes and label-file names follow Triton's quickstart configs, so Triton's
example clients (image_client.py, simple_*_client.py, grpc_explicit_*.py)
run against it unchanged. The models themselves are our own tiny ONNX graphs:

- densenet_onnx: data_0 [1,3,224,224] -> GlobalAveragePool -> 1x1 Conv with
  fixed seeded weights -> fc6_1 [1,1000,1,1]. The config declares dims
  [3,224,224] / [1000] with reshape [1,3,224,224] / [1,1000,1,1] and
  max_batch_size 0, so a request only fits the graph if the server applies
  the config's `reshape` on the way in and out.
- inception_onnx: "input:0" [1,299,299,3] -> ReduceMean over H,W -> MatMul
  -> Add -> Softmax -> "InceptionV3/Predictions/Softmax:0" [1,1001]
  (config dims [299,299,3] / [1001], reshape [1,299,299,3] / [1,1001]).
- simple (INT32), simple_int8 (INT8), simple_string (TYPE_STRING holding
  decimal integers): OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1,
  max_batch_size 8, dims [16].

Labels are generated: uppercase, some with spaces, never a ':' (clients split
the classification string "score:index:label" on ':').
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .onnx_builders import IR_VERSION, OPSET

DENSENET = "densenet_onnx"
INCEPTION = "inception_onnx"
SIMPLE_MODELS = ("simple", "simple_int8", "simple_string")
QUICKSTART_MODELS = (DENSENET, INCEPTION) + SIMPLE_MODELS

# (input name, input dims, reshape, format, output name, output dims, reshape,
#  label file, label count): Triton's quickstart values.
CLASSIFIERS = {
    DENSENET: dict(
        input="data_0", input_dims=[3, 224, 224], input_reshape=[1, 3, 224, 224],
        format="FORMAT_NCHW", output="fc6_1", output_dims=[1000],
        output_reshape=[1, 1000, 1, 1], labels="densenet_labels.txt", classes=1000),
    INCEPTION: dict(
        input="input:0", input_dims=[299, 299, 3], input_reshape=[1, 299, 299, 3],
        format="FORMAT_NHWC", output="InceptionV3/Predictions/Softmax:0",
        output_dims=[1001], output_reshape=[1, 1001], labels="inception_labels.txt",
        classes=1001),
}

SIMPLE_TYPES = {"simple": "TYPE_INT32", "simple_int8": "TYPE_INT8",
                "simple_string": "TYPE_STRING"}


def _finish(graph):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="inferd-integration-tests")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def _f32(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def densenet_stand_in(seed=121):
    spec = CLASSIFIERS[DENSENET]
    n = spec["classes"]
    rng = np.random.default_rng(seed)
    nodes = [
        helper.make_node("GlobalAveragePool", [spec["input"]], ["pooled"]),    # [1,3,1,1]
        helper.make_node("Conv", ["pooled", "fc_w", "fc_b"], [spec["output"]]),  # [1,1000,1,1]
    ]
    graph = helper.make_graph(
        nodes, "densenet_stand_in",
        [helper.make_tensor_value_info(spec["input"], TensorProto.FLOAT, spec["input_reshape"])],
        [helper.make_tensor_value_info(spec["output"], TensorProto.FLOAT, spec["output_reshape"])],
        initializer=[_f32("fc_w", rng.normal(scale=4.0, size=(n, 3, 1, 1))),
                     _f32("fc_b", rng.normal(size=(n,)))])
    return _finish(graph)


def inception_stand_in(seed=3):
    spec = CLASSIFIERS[INCEPTION]
    n = spec["classes"]
    rng = np.random.default_rng(seed)
    nodes = [
        helper.make_node("ReduceMean", [spec["input"]], ["means"], axes=[1, 2],
                         keepdims=0),                                          # [1,3]
        helper.make_node("MatMul", ["means", "logit_w"], ["logits_nobias"]),    # [1,1001]
        helper.make_node("Add", ["logits_nobias", "logit_b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [spec["output"]], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "inception_stand_in",
        [helper.make_tensor_value_info(spec["input"], TensorProto.FLOAT, spec["input_reshape"])],
        [helper.make_tensor_value_info(spec["output"], TensorProto.FLOAT, spec["output_reshape"])],
        initializer=[_f32("logit_w", rng.normal(scale=6.0, size=(3, n))),
                     _f32("logit_b", rng.normal(size=(n,)))])
    return _finish(graph)


def simple_stand_in(name):
    """OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 on [batch,16].
    INT8 and STRING go through INT32 (opset 13 Add has no int8; strings are
    decimal integers that Cast turns into numbers and back)."""
    elem = {"simple": TensorProto.INT32, "simple_int8": TensorProto.INT8,
            "simple_string": TensorProto.STRING}[name]
    shape = ["batch", 16]
    nodes = []
    if elem == TensorProto.INT32:
        a, b = "INPUT0", "INPUT1"
    else:
        nodes += [helper.make_node("Cast", ["INPUT0"], ["a"], to=TensorProto.INT32),
                  helper.make_node("Cast", ["INPUT1"], ["b"], to=TensorProto.INT32)]
        a, b = "a", "b"
    sum_name = "OUTPUT0" if elem == TensorProto.INT32 else "sum"
    diff_name = "OUTPUT1" if elem == TensorProto.INT32 else "diff"
    nodes += [helper.make_node("Add", [a, b], [sum_name]),
              helper.make_node("Sub", [a, b], [diff_name])]
    if elem != TensorProto.INT32:
        nodes += [helper.make_node("Cast", ["sum"], ["OUTPUT0"], to=elem),
                  helper.make_node("Cast", ["diff"], ["OUTPUT1"], to=elem)]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("INPUT0", elem, shape),
         helper.make_tensor_value_info("INPUT1", elem, shape)],
        [helper.make_tensor_value_info("OUTPUT0", elem, shape),
         helper.make_tensor_value_info("OUTPUT1", elem, shape)])
    return _finish(graph)


def labels(model):
    """The generated label list of a classifier (index -> label)."""
    if model == DENSENET:
        return [f"DENSE CLASS {i:04d}" if i % 2 else f"DENSECLASS{i:04d}" for i in range(1000)]
    # Like Triton's inception labels: index 0 is the background class.
    return ["UNUSED BACKGROUND"] + [f"INCEPTION CLASS {i:04d}" for i in range(1, 1001)]


def _dims(dims):
    return "[ " + ", ".join(str(d) for d in dims) + " ]"


def classifier_config(model):
    """config.pbtxt in the layout of Triton's quickstart classifier configs."""
    spec = CLASSIFIERS[model]
    return (
        f'name: "{model}"\n'
        'platform: "onnxruntime_onnx"\n'
        "max_batch_size : 0\n"
        "input [\n"
        "  {\n"
        f'    name: "{spec["input"]}"\n'
        "    data_type: TYPE_FP32\n"
        f'    format: {spec["format"]}\n'
        f'    dims: {_dims(spec["input_dims"])}\n'
        f'    reshape {{ shape: {_dims(spec["input_reshape"])} }}\n'
        "  }\n"
        "]\n"
        "output [\n"
        "  {\n"
        f'    name: "{spec["output"]}"\n'
        "    data_type: TYPE_FP32\n"
        f'    dims: {_dims(spec["output_dims"])}\n'
        f'    reshape {{ shape: {_dims(spec["output_reshape"])} }}\n'
        f'    label_filename: "{spec["labels"]}"\n'
        "  }\n"
        "]")


def simple_config(model):
    """config.pbtxt in the layout of Triton's quickstart `simple` configs."""
    data_type = SIMPLE_TYPES[model]

    def tensor(name):
        return ("  {\n"
                f'    name: "{name}"\n'
                f"    data_type: {data_type}\n"
                "    dims: [ 16 ]\n"
                "  }")

    return (f'name: "{model}"\n'
            'platform: "onnxruntime_onnx"\n'
            "max_batch_size: 8\n"
            "input [\n" + ",\n".join(tensor(n) for n in ("INPUT0", "INPUT1")) + "\n]\n"
            "output [\n" + ",\n".join(tensor(n) for n in ("OUTPUT0", "OUTPUT1")) + "\n]\n")


def model_proto(model):
    if model == DENSENET:
        return densenet_stand_in()
    if model == INCEPTION:
        return inception_stand_in()
    return simple_stand_in(model)


def write_quickstart_repository(repo):
    """<repo>/<model>/config.pbtxt, <repo>/<model>/1/model.onnx and, for the
    classifiers, the label file beside config.pbtxt."""
    repo = Path(repo)
    for model in QUICKSTART_MODELS:
        folder = repo / model
        (folder / "1").mkdir(parents=True, exist_ok=True)
        if model in CLASSIFIERS:
            (folder / "config.pbtxt").write_text(classifier_config(model))
            (folder / CLASSIFIERS[model]["labels"]).write_text("\n".join(labels(model)) + "\n")
        else:
            (folder / "config.pbtxt").write_text(simple_config(model))
        onnx.save(model_proto(model), str(folder / "1" / "model.onnx"))
    return repo


def quickstart_image(height, width, seed=5):
    """A deterministic HxWx3 uint8 RGB image (what image_client gets from PIL
    after convert('RGB') and resize): smooth gradients plus seeded noise, a
    different mix per channel so the channel means differ."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    red = 255.0 * x / max(width - 1, 1)
    green = 255.0 * (0.5 + 0.5 * np.sin(y / 17.0))
    blue = 255.0 * ((x + y) % 64) / 63.0 * 0.3
    image = np.stack([red, green, blue], axis=-1) + rng.normal(scale=12.0, size=(height, width, 3))
    return np.clip(image, 0, 255).astype(np.uint8)
