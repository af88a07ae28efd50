"""Models for the model-control tests (test_model_control*.py).

- `plus_k(k)`: OUTPUT0 = INPUT0 + k on FP32 [batch, 4]. Version k of the
  `swapped` model adds k, so every response tells which version computed it.
- `write_triton_example_repository`: a repository shaped for Triton's
  simple_{http,grpc}_model_control.py: `simple` (INT32 add/sub [16],
  max_batch_size 8) and enough other models for the count the example
  checks.
- `write_pipeline`: `pipe_step` (plus 1) and the ensemble `pipe` running it.
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import onnx_builders as builders
from . import quickstart_models as qs
from .repositories import model_config, tensor_config

VECTOR = [tensor_config("INPUT0", "TYPE_FP32", [4])]
VECTOR_OUT = [tensor_config("OUTPUT0", "TYPE_FP32", [4])]


def plus_k(k):
    graph = helper.make_graph(
        [helper.make_node("Add", ["INPUT0", "K"], ["OUTPUT0"])],
        f"plus_{k}",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, ["batch", 4])],
        initializer=[numpy_helper.from_array(np.full((4,), float(k), dtype=np.float32), "K")],
    )
    return builders._finish(graph)


def plus_k_config(name, extra=""):
    return model_config(name, 8, VECTOR, VECTOR_OUT, extra)


def specific_policy(*versions):
    return "version_policy: { specific: { versions: [ " + ", ".join(str(v) for v in versions) + " ] } }\n"


def write_versioned(repo, name, versions, extra=""):
    """`name` with version k = plus_k(k) for each k in `versions`."""
    folder = Path(repo) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.pbtxt").write_text(plus_k_config(name, extra))
    for k in versions:
        (folder / str(k)).mkdir(exist_ok=True)
        onnx.save(plus_k(k), str(folder / str(k) / "model.onnx"))
    return folder


def write_triton_example_repository(repo, model_count):
    """`simple` plus `model_count - 1` small models."""
    repo = Path(repo)
    folder = repo / "simple"
    (folder / "1").mkdir(parents=True, exist_ok=True)
    (folder / "config.pbtxt").write_text(qs.simple_config("simple"))
    onnx.save(qs.simple_stand_in("simple"), str(folder / "1" / "model.onnx"))
    for index in range(model_count - 1):
        write_versioned(repo, f"plus_model_{index}", [1])
    return repo


def write_pipeline(repo):
    """`pipe_step` (version 1 adds 1) and the ensemble `pipe` over it."""
    write_versioned(repo, "pipe_step", [1])
    folder = Path(repo) / "pipe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.pbtxt").write_text(
        'name: "pipe"\nplatform: "ensemble"\nmax_batch_size: 8\n'
        f"input [\n{VECTOR[0]}\n]\noutput [\n{VECTOR_OUT[0]}\n]\n"
        "ensemble_scheduling {\n  step [\n    {\n      model_name: \"pipe_step\"\n      model_version: -1\n"
        '      input_map { key: "INPUT0" value: "INPUT0" }\n'
        '      output_map { key: "OUTPUT0" value: "OUTPUT0" }\n    }\n  ]\n}\n')
    (folder / "1").mkdir(exist_ok=True)
    return repo


def write_ensemble(repo, name, steps):
    """An ensemble running `steps` (models with INPUT0 -> OUTPUT0 FP32 [4]) one after another."""
    folder = Path(repo) / name
    folder.mkdir(parents=True, exist_ok=True)
    tensors = ["INPUT0"] + [f"between_{i}" for i in range(len(steps) - 1)] + ["OUTPUT0"]
    body = ",\n".join(
        f'    {{\n      model_name: "{step}"\n      model_version: -1\n'
        f'      input_map {{ key: "INPUT0" value: "{tensors[i]}" }}\n'
        f'      output_map {{ key: "OUTPUT0" value: "{tensors[i + 1]}" }}\n    }}'
        for i, step in enumerate(steps)) + "\n"
    (folder / "config.pbtxt").write_text(
        f'name: "{name}"\nplatform: "ensemble"\nmax_batch_size: 8\n'
        f"input [\n{VECTOR[0]}\n]\noutput [\n{VECTOR_OUT[0]}\n]\n"
        "ensemble_scheduling {\n  step [\n" + body + "  ]\n}\n")
    return folder
