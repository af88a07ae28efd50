#!/usr/bin/env python3
"""Generates the ONNX models of the example repository examples/simple/.

The config.pbtxt files beside them are written by hand and committed; only the
model.onnx files come from here (they are git-ignored). Every model is run once
with the PyPI onnxruntime and its arithmetic checked, so a broken generator
fails here instead of in a server test.

Models use opset 13 and IR version 8 so that both the PyPI onnxruntime and the
C++ ONNX Runtime the server links can load them.

Usage: make_example_models.py [--repository DIR] [--only-missing]
"""

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPOSITORY = REPO_ROOT / "examples" / "simple"
OPSET = 13
IR_VERSION = 8
BATCH = "batch"  # symbolic leading dimension of the models that batch

# (model name, version) of every file this script writes.
MODEL_VERSIONS = [
    ("simple", 1),
    ("simple_nobatch", 1),
    ("simple_versioned", 1),
    ("simple_versioned", 2),
    ("simple_versioned", 3),
    ("simple_string", 1),
]


def model_path(repository, name, version):
    return repository / name / str(version) / "model.onnx"


def is_up_to_date(repository):
    """True when every model exists and is newer than this script."""
    script_mtime = Path(__file__).stat().st_mtime
    for name, version in MODEL_VERSIONS:
        path = model_path(repository, name, version)
        if not path.is_file() or path.stat().st_mtime < script_mtime:
            return False
    return True


# onnx and onnxruntime are imported only when models are (re)built, so the
# --only-missing check stays instant.
def build_model(name, version):
    from onnx import TensorProto, helper

    def tensor(tensor_name, elem_type, shape):
        return helper.make_tensor_value_info(tensor_name, elem_type, shape)

    initializers = []
    if name == "simple":
        # Triton's classic: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1.
        shape = [BATCH, 16]
        inputs = [tensor("INPUT0", TensorProto.INT32, shape), tensor("INPUT1", TensorProto.INT32, shape)]
        outputs = [tensor("OUTPUT0", TensorProto.INT32, shape), tensor("OUTPUT1", TensorProto.INT32, shape)]
        nodes = [
            helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
            helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]),
        ]
    elif name == "simple_nobatch":
        shape = [2, 4]
        inputs = [tensor("INPUT0", TensorProto.FLOAT, shape), tensor("INPUT1", TensorProto.FLOAT, shape)]
        outputs = [tensor("OUTPUT0", TensorProto.FLOAT, shape), tensor("OUTPUT1", TensorProto.FLOAT, shape)]
        nodes = [
            helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
            helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]),
        ]
    elif name == "simple_versioned":
        # OUTPUT0 = INPUT0 + version, so a client can tell which version answered.
        shape = [BATCH, 4]
        inputs = [tensor("INPUT0", TensorProto.FLOAT, shape)]
        outputs = [tensor("OUTPUT0", TensorProto.FLOAT, shape)]
        initializers = [helper.make_tensor("VERSION", TensorProto.FLOAT, [], [float(version)])]
        nodes = [helper.make_node("Add", ["INPUT0", "VERSION"], ["OUTPUT0"])]
    elif name == "simple_string":
        # Decimal text in, decimal text out: parse, add/subtract as int32, format.
        shape = [BATCH, 16]
        inputs = [tensor("INPUT0", TensorProto.STRING, shape), tensor("INPUT1", TensorProto.STRING, shape)]
        outputs = [tensor("OUTPUT0", TensorProto.STRING, shape), tensor("OUTPUT1", TensorProto.STRING, shape)]
        nodes = [
            helper.make_node("Cast", ["INPUT0"], ["input0_int"], to=TensorProto.INT32),
            helper.make_node("Cast", ["INPUT1"], ["input1_int"], to=TensorProto.INT32),
            helper.make_node("Add", ["input0_int", "input1_int"], ["sum_int"]),
            helper.make_node("Sub", ["input0_int", "input1_int"], ["difference_int"]),
            helper.make_node("Cast", ["sum_int"], ["OUTPUT0"], to=TensorProto.STRING),
            helper.make_node("Cast", ["difference_int"], ["OUTPUT1"], to=TensorProto.STRING),
        ]
    else:
        raise ValueError(f"no recipe for model '{name}'")

    graph = helper.make_graph(nodes, f"{name}_v{version}", inputs, outputs, initializer=initializers)
    model = helper.make_model(
        graph,
        producer_name="inferd/scripts/make_example_models.py",
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
    )
    return model


def check_model(name, version, model_bytes):
    """Runs the model once with onnxruntime and compares with numpy."""
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed=version)

    if name == "simple":
        a = rng.integers(-1000, 1000, size=(3, 16), dtype=np.int32)
        b = rng.integers(-1000, 1000, size=(3, 16), dtype=np.int32)
        got = session.run(["OUTPUT0", "OUTPUT1"], {"INPUT0": a, "INPUT1": b})
        expected = [a + b, a - b]
    elif name == "simple_nobatch":
        a = rng.standard_normal((2, 4)).astype(np.float32)
        b = rng.standard_normal((2, 4)).astype(np.float32)
        got = session.run(["OUTPUT0", "OUTPUT1"], {"INPUT0": a, "INPUT1": b})
        expected = [a + b, a - b]
    elif name == "simple_versioned":
        a = rng.standard_normal((3, 4)).astype(np.float32)
        got = session.run(["OUTPUT0"], {"INPUT0": a})
        expected = [a + np.float32(version)]
    elif name == "simple_string":
        a_int = rng.integers(-1000, 1000, size=(3, 16), dtype=np.int32)
        b_int = rng.integers(-1000, 1000, size=(3, 16), dtype=np.int32)
        to_text = np.vectorize(str, otypes=[object])
        got = session.run(["OUTPUT0", "OUTPUT1"], {"INPUT0": to_text(a_int), "INPUT1": to_text(b_int)})
        expected = [to_text(a_int + b_int), to_text(a_int - b_int)]
    else:
        raise ValueError(f"no check for model '{name}'")

    for index, (got_array, expected_array) in enumerate(zip(got, expected)):
        if got_array.shape != expected_array.shape or not np.array_equal(got_array, expected_array):
            raise AssertionError(
                f"model '{name}' version {version}: output {index} is wrong;\n"
                f"expected {expected_array!r}\nreceived {got_array!r}"
            )


def write_model(repository, name, version):
    import onnx

    model = build_model(name, version)
    onnx.checker.check_model(model, full_check=True)
    model_bytes = model.SerializeToString()
    check_model(name, version, model_bytes)

    path = model_path(repository, name, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside and rename, so a server polling the folder never sees half a file.
    temporary = path.with_suffix(".onnx.tmp")
    temporary.write_bytes(model_bytes)
    os.replace(temporary, path)
    print(f"make_example_models: wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repository", type=Path, default=DEFAULT_REPOSITORY,
                        help="model repository to write into (default: examples/simple)")
    parser.add_argument("--only-missing", action="store_true",
                        help="do nothing when every model exists and is newer than this script")
    args = parser.parse_args()
    repository = args.repository.resolve()

    if args.only_missing and is_up_to_date(repository):
        print(f"make_example_models: {len(MODEL_VERSIONS)} models in {repository} are up to date")
        return 0

    for name, version in MODEL_VERSIONS:
        write_model(repository, name, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
