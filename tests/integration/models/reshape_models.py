"""Models and configs for test_reshape.py (Triton's `reshape` config field).

A tensor's `dims` are what the client sends and receives (with the batch
dimension in front when max_batch_size > 0); its `reshape` is the shape the
model itself takes or produces. Every ONNX graph here declares the reshape
shape, not the dims, so ONNX Runtime rejects the request when the server
forgets to reshape, and the graphs that transpose make a reshape with the
wrong layout show up as wrong numbers.

- `reshape_image`      unbatched; INPUT0 dims [3,4,4] reshape [1,3,4,4];
                       OUTPUT0 = 2 * transpose of each 4x4 plane, dims [48]
                       reshape [1,3,4,4]
- `reshape_scalar`     max_batch_size 8; INPUT0 dims [1] reshape [] (the model
                       takes [batch]); OUTPUT0 = 3 x + 1, dims [1] reshape []
- `reshape_scalar_db`  the same with dynamic_batching
- `reshape_variable`   max_batch_size 8; INPUT0/OUTPUT0 dims [-1,4] reshape
                       [-1,2,2]; each row of 4 comes back as its 2x2 block
                       transposed ([a,b,c,d] -> [a,c,b,d])
- `reshape_classifier` max_batch_size 8; INPUT0 dims [5] reshape [1,5];
                       PROBS = softmax, dims [5] reshape [1,5], with labels
- `bad_reshape_input` / `bad_reshape_output`: a reshape whose element count
                       differs from dims; each must be UNAVAILABLE
- `ens_reshape_scalar` ensemble: reshape_scalar twice (9 x + 4)
- `ens_reshape_image`  ensemble (unbatched) over reshape_image
"""

import numpy as np
from onnx import TensorProto, helper

from . import onnx_builders as builders
from .repositories import model_config, tensor_config, write_model

CLASSIFIER_LABELS = ["red", "green", "blue", "cyan", "magenta"]
DB_QUEUE_DELAY_US = 20000


def _reshape_text(shape):
    return "    reshape: { shape: [ " + ", ".join(str(d) for d in shape) + " ] }\n"


def reshaped_tensor(name, dims, reshape, config_type="TYPE_FP32", extra=""):
    return tensor_config(name, config_type, dims, _reshape_text(reshape) + extra)


def transpose_scale_model(shape, perm, scale):
    """OUTPUT0 = scale * Transpose(INPUT0, perm); INPUT0 declared as `shape`."""
    out_shape = [shape[p] for p in perm]
    graph = helper.make_graph(
        [helper.make_node("Transpose", ["INPUT0"], ["T"], perm=perm),
         helper.make_node("Mul", ["T", "SCALE"], ["OUTPUT0"])],
        "transpose_scale",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, out_shape)],
        initializer=[helper.make_tensor("SCALE", TensorProto.FLOAT, [], [float(scale)])],
    )
    return builders._finish(graph)


def affine_vector_model():
    """INPUT0 FP32 [batch] (rank 1) -> OUTPUT0 = 3 INPUT0 + 1, [batch]."""
    graph = helper.make_graph(
        [helper.make_node("Mul", ["INPUT0", "THREE"], ["T"]),
         helper.make_node("Add", ["T", "ONE"], ["OUTPUT0"])],
        "affine_vector",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, ["batch"])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, ["batch"])],
        initializer=[helper.make_tensor("THREE", TensorProto.FLOAT, [], [3.0]),
                     helper.make_tensor("ONE", TensorProto.FLOAT, [], [1.0])],
    )
    return builders._finish(graph)


def softmax_rank3_model(num_classes):
    shape = ["batch", 1, num_classes]
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["INPUT0"], ["PROBS"], axis=-1)],
        "softmax_rank3",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("PROBS", TensorProto.FLOAT, shape)],
    )
    return builders._finish(graph)


# Expected results, computed from the client-side (dims) arrays.
def expected_image(x):
    """x: [3,4,4] -> [48]."""
    return (2.0 * x.reshape(1, 3, 4, 4).transpose(0, 1, 3, 2)).reshape(48).astype(np.float32)


def expected_scalar(x):
    return (3.0 * x + 1.0).astype(np.float32)


def expected_variable(x):
    """x: [n, v, 4] -> [n, v, 4], each 2x2 block transposed."""
    n, v, _ = x.shape
    return x.reshape(n, v, 2, 2).transpose(0, 1, 3, 2).reshape(n, v, 4)


def _scalar_config(name, extra=""):
    return model_config(name, 8, [reshaped_tensor("INPUT0", [1], [])],
                        [reshaped_tensor("OUTPUT0", [1], [])], extra)


def write_reshape_models(repo):
    write_model(repo, "reshape_image",
                model_config("reshape_image", 0, [reshaped_tensor("INPUT0", [3, 4, 4], [1, 3, 4, 4])],
                             [reshaped_tensor("OUTPUT0", [48], [1, 3, 4, 4])]),
                transpose_scale_model([1, 3, 4, 4], [0, 1, 3, 2], 2.0))
    write_model(repo, "reshape_scalar", _scalar_config("reshape_scalar"), affine_vector_model())
    write_model(repo, "reshape_scalar_db",
                _scalar_config("reshape_scalar_db",
                               f"dynamic_batching {{ max_queue_delay_microseconds: {DB_QUEUE_DELAY_US} }}\n"
                               "instance_group [ { count: 1 kind: KIND_CPU } ]\n"),
                affine_vector_model())
    write_model(repo, "reshape_variable",
                model_config("reshape_variable", 8, [reshaped_tensor("INPUT0", [-1, 4], [-1, 2, 2])],
                             [reshaped_tensor("OUTPUT0", [-1, 4], [-1, 2, 2])]),
                transpose_scale_model(["batch", "v", 2, 2], [0, 1, 3, 2], 1.0))
    n = len(CLASSIFIER_LABELS)
    folder = write_model(
        repo, "reshape_classifier",
        model_config("reshape_classifier", 8, [reshaped_tensor("INPUT0", [n], [1, n])],
                     [reshaped_tensor("PROBS", [n], [1, n], extra='    label_filename: "labels.txt"\n')]),
        softmax_rank3_model(n))
    (folder / "labels.txt").write_text("\n".join(CLASSIFIER_LABELS) + "\n")

    # Element counts that do not match: 4 vs 3 on the input, 4 vs 6 on the output.
    write_model(repo, "bad_reshape_input",
                model_config("bad_reshape_input", 8, [reshaped_tensor("BAD_IN", [4], [3])],
                             [tensor_config("OUTPUT0", "TYPE_FP32", [3])]),
                builders.identity_model("FP32", True, [3]))
    write_model(repo, "bad_reshape_output",
                model_config("bad_reshape_output", 8, [tensor_config("INPUT0", "TYPE_FP32", [4])],
                             [reshaped_tensor("BAD_OUT", [4], [2, 3])]),
                builders.identity_model("FP32", True, [4]))

    write_model(repo, "ens_reshape_scalar", """name: "ens_reshape_scalar"
platform: "ensemble"
max_batch_size: 8
input [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]
ensemble_scheduling {
  step [
    {
      model_name: "reshape_scalar"
      model_version: -1
      input_map { key: "INPUT0" value: "X" }
      output_map { key: "OUTPUT0" value: "middle" }
    },
    {
      model_name: "reshape_scalar"
      model_version: -1
      input_map { key: "INPUT0" value: "middle" }
      output_map { key: "OUTPUT0" value: "Y" }
    }
  ]
}
""", None)
    write_model(repo, "ens_reshape_image", """name: "ens_reshape_image"
platform: "ensemble"
max_batch_size: 0
input [ { name: "IMAGE" data_type: TYPE_FP32 dims: [ 3, 4, 4 ] } ]
output [ { name: "FLAT" data_type: TYPE_FP32 dims: [ 48 ] } ]
ensemble_scheduling {
  step [
    {
      model_name: "reshape_image"
      model_version: -1
      input_map { key: "INPUT0" value: "IMAGE" }
      output_map { key: "OUTPUT0" value: "FLAT" }
    }
  ]
}
""", None)
    return repo


GOOD_MODELS = ["reshape_image", "reshape_scalar", "reshape_scalar_db", "reshape_variable",
               "reshape_classifier", "ens_reshape_scalar", "ens_reshape_image"]
# name -> words its UNAVAILABLE reason must contain
BAD_MODELS = {
    "bad_reshape_input": ["BAD_IN", "reshape", "[3]", "[4]"],
    "bad_reshape_output": ["BAD_OUT", "reshape", "[2,3]", "[4]"],
}
