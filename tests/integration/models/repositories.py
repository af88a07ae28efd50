"""Writes the model repositories the integration tests serve.

`write_test_repository` builds the healthy repository (identity models for
every datatype, the report's two OCR configs with stand-in models, a
classifier with a label file). `write_broken_repository` puts deliberately
broken models beside good ones to prove one bad model never takes the
server down. Both are plain folders in Triton's layout:
<repo>/<model>/config.pbtxt and <repo>/<model>/<version>/model.onnx.
"""

from pathlib import Path

import onnx

from . import onnx_builders as builders

BATCHED_DIMS = [4]        # identity_<type>: max_batch_size 8, dims [4]
UNBATCHED_DIMS = [2, 3]   # identity_<type>_nobatch: max_batch_size 0, dims [2, 3]
CLASSIFIER_LABELS = ["cat", "dog", "bird", "fish", "frog"]

# The report's configs, byte for byte as the report gives them
# ("Investigative Report on NVIDIA Triton", Process Description).
TEXT_DETECTION_CONFIG = """name: "text_detection"
backend: "onnxruntime"
max_batch_size : 0
input [
  {
    name: "input_images:0"
    data_type: TYPE_FP32
    dims: [ -1, -1, -1, 3 ]
  }
]
output [
  {
    name: "feature_fusion/Conv_7/Sigmoid:0"
    data_type: TYPE_FP32
    dims: [ -1, -1, -1, 1 ]
  },
  {
    name: "feature_fusion/concat_3:0"
    data_type: TYPE_FP32
    dims: [ -1, -1, -1, 5 ]
  }
]
"""

TEXT_RECOGNITION_CONFIG = """name: "text_recognition"
backend: "onnxruntime"
max_batch_size : 0
input [
  {
    name: "input.1"
    data_type: TYPE_FP32
    dims: [ 1, 1, 32, 100 ]
  }
]
output [
  {
    name: "308"
    data_type: TYPE_FP32
    dims: [ 1, 26, 37 ]
  }
]
"""


def identity_name(datatype, batched):
    return f"identity_{datatype.lower()}" + ("" if batched else "_nobatch")


def _dims_text(dims):
    return "[ " + ", ".join(str(d) for d in dims) + " ]"


def tensor_config(name, config_type, dims, extra=""):
    return (f'  {{\n    name: "{name}"\n    data_type: {config_type}\n'
            f"    dims: {_dims_text(dims)}\n{extra}  }}")


def model_config(name, max_batch_size, inputs, outputs, extra=""):
    return (f'name: "{name}"\nbackend: "onnxruntime"\nmax_batch_size: {max_batch_size}\n'
            f"input [\n" + ",\n".join(inputs) + "\n]\n"
            f"output [\n" + ",\n".join(outputs) + "\n]\n" + extra)


def write_model(repo, name, config_text, model=None, versions=(1,)):
    """One model folder; `model` None leaves the version folders empty."""
    folder = Path(repo) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.pbtxt").write_text(config_text)
    for version in versions:
        version_dir = folder / str(version)
        version_dir.mkdir(exist_ok=True)
        if model is not None:
            onnx.save(model, str(version_dir / "model.onnx"))
    return folder


def _identity_config(datatype, batched):
    config_type = builders.DATATYPES[datatype][2]
    dims = BATCHED_DIMS if batched else UNBATCHED_DIMS
    return model_config(
        identity_name(datatype, batched), 8 if batched else 0,
        [tensor_config("INPUT0", config_type, dims)],
        [tensor_config("OUTPUT0", config_type, dims)])


def write_echo_model(repo, name="echo_fp32", extra=""):
    """`name`: FP32 [-1] in, the same out, no batching (any length, for
    large-message and memory tests); `extra` is appended to its config."""
    return write_model(repo, name, model_config(
        name, 0, [tensor_config("INPUT0", "TYPE_FP32", [-1])],
        [tensor_config("OUTPUT0", "TYPE_FP32", [-1])], extra),
        builders.identity_model("FP32", False, [-1]))


def write_identity_models(repo):
    for datatype in builders.DATATYPES:
        for batched in (True, False):
            dims = BATCHED_DIMS if batched else UNBATCHED_DIMS
            write_model(repo, identity_name(datatype, batched),
                        _identity_config(datatype, batched),
                        builders.identity_model(datatype, batched, dims))


def write_classifier(repo):
    """`classifier`: softmax over 5 classes with labels.txt attached to PROBS."""
    n = len(CLASSIFIER_LABELS)
    config = model_config(
        "classifier", 8,
        [tensor_config("INPUT0", "TYPE_FP32", [n])],
        [tensor_config("PROBS", "TYPE_FP32", [n], '    label_filename: "labels.txt"\n')])
    folder = write_model(repo, "classifier", config, builders.softmax_classifier_model(n))
    (folder / "labels.txt").write_text("\n".join(CLASSIFIER_LABELS) + "\n")


def write_report_models(repo):
    write_model(repo, "text_detection", TEXT_DETECTION_CONFIG,
                builders.text_detection_stand_in())
    write_model(repo, "text_recognition", TEXT_RECOGNITION_CONFIG,
                builders.text_recognition_stand_in())


def write_add_sub(repo, name="add_sub_fp32"):
    """A good two-input model; the broken repository uses one as its control."""
    dims = [4]
    config = model_config(
        name, 8,
        [tensor_config("INPUT0", "TYPE_FP32", dims), tensor_config("INPUT1", "TYPE_FP32", dims)],
        [tensor_config("OUTPUT0", "TYPE_FP32", dims), tensor_config("OUTPUT1", "TYPE_FP32", dims)])
    write_model(repo, name, config, builders.add_sub_model("FP32", True, dims))


def write_test_repository(repo):
    repo = Path(repo)
    repo.mkdir(parents=True, exist_ok=True)
    write_identity_models(repo)
    write_classifier(repo)
    write_report_models(repo)
    write_add_sub(repo)
    return repo


# Broken model name -> words of which at least one must appear (case-insensitive)
# in the reason the server gives, so the reason really names the cause.
BROKEN_MODELS = {
    "broken_syntax": ["config.pbtxt", "parse", "syntax", "expected"],
    "broken_missing_file": ["model.onnx", "not found", "no such", "missing", "does not exist"],
    "broken_corrupt_file": ["model.onnx", "onnx", "protobuf", "corrupt"],
    "broken_unknown_backend": ["nosuch"],
    "broken_name_mismatch": ["not_the_folder_name"],
}
GOOD_MODELS_BESIDE_BROKEN = ["add_sub_fp32", "identity_int32"]


def write_broken_repository(repo):
    """Five broken models, each broken in one way, beside two good ones."""
    repo = Path(repo)
    repo.mkdir(parents=True, exist_ok=True)
    write_add_sub(repo)
    write_model(repo, "identity_int32", _identity_config("INT32", True),
                builders.identity_model("INT32", True, BATCHED_DIMS))

    good_model = builders.identity_model("FP32", True, BATCHED_DIMS)

    def fp32_identity_config(name, backend="onnxruntime"):
        return _identity_config("FP32", True).replace(
            'name: "identity_fp32"', f'name: "{name}"').replace(
            'backend: "onnxruntime"', f'backend: "{backend}"')

    # A config that protobuf's text format cannot parse (unclosed bracket,
    # missing colon), next to a perfectly good model file.
    write_model(repo, "broken_syntax",
                'name: "broken_syntax"\nbackend "onnxruntime"\nmax_batch_size: 8\n'
                'input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 }\n',
                good_model)
    # Version folder exists but holds no model.onnx.
    write_model(repo, "broken_missing_file", fp32_identity_config("broken_missing_file"), None)
    # model.onnx that is not an ONNX protobuf at all.
    folder = write_model(repo, "broken_corrupt_file", fp32_identity_config("broken_corrupt_file"), None)
    (folder / "1" / "model.onnx").write_bytes(b"\x00\xffthis is not an onnx model\x13\x37" * 64)
    # A backend nobody provides.
    write_model(repo, "broken_unknown_backend",
                fp32_identity_config("broken_unknown_backend", backend="nosuch"), good_model)
    # The config names a different model than its folder.
    write_model(repo, "broken_name_mismatch", fp32_identity_config("not_the_folder_name"), good_model)
    return repo
