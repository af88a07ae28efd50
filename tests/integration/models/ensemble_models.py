"""Composing models and ensembles for test_ensemble.py.

Every composing model batches (max_batch_size 8) over FP32 (or INT64)
vectors of any width (dims [-1]), so one ensemble request of width w and
batch n flows through every step as an [n, w] tensor:

- `ens_add_sub`      OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1
- `ens_slow_a/_b`    OUTPUT0 = INPUT0, at a cost of about w³ (square_cost_model),
                     one ONNX Runtime thread each so both branches can share
                     the two cores
- `ens_batched_step` the same, with dynamic_batching and a long queue delay
- `ens_fixed4`       FP32 identity with dims [4] (a runtime shape check)
- `ens_identity_i64` INT64 identity
- `ens_gather`       OUT = TABLE[INDICES]: ONNX Runtime fails on an index
                     outside 0..9, which makes a step fail on some values only

Valid ensembles (`ENSEMBLES`) and invalid ones (`INVALID_ENSEMBLES`, each
broken one way, with words its UNAVAILABLE reason must contain) live in the
same repository, so the tests also prove a broken ensemble harms nobody.
"""

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from . import onnx_builders as builders
from .batching_models import square_cost_model
from .repositories import model_config, tensor_config, write_model

GATHER_TABLE = np.arange(10, dtype=np.float32) * 10.0 + 0.5  # TABLE[i] = 10 i + 0.5
SINGLE_THREAD = 'parameters { key: "intra_op_thread_count" value: { string_value: "1" } }\n'


def gather_model():
    graph = helper.make_graph(
        [helper.make_node("Gather", ["TABLE", "INDICES"], ["OUT"], axis=0)],
        "ens_gather",
        [helper.make_tensor_value_info("INDICES", TensorProto.INT64, ["batch", "n"])],
        [helper.make_tensor_value_info("OUT", TensorProto.FLOAT, ["batch", "n"])],
        initializer=[numpy_helper.from_array(GATHER_TABLE, "TABLE")],
    )
    return builders._finish(graph)


def _vector(name, config_type="TYPE_FP32", dims=(-1,)):
    return tensor_config(name, config_type, list(dims))


def write_composing_models(repo):
    write_model(repo, "ens_add_sub",
                model_config("ens_add_sub", 8, [_vector("INPUT0"), _vector("INPUT1")],
                             [_vector("OUTPUT0"), _vector("OUTPUT1")]),
                builders.add_sub_model("FP32", True, [-1]))
    for name in ("ens_slow_a", "ens_slow_b"):
        write_model(repo, name, model_config(name, 8, [_vector("INPUT0")], [_vector("OUTPUT0")], SINGLE_THREAD),
                    square_cost_model())
    write_model(repo, "ens_batched_step",
                model_config("ens_batched_step", 8, [_vector("INPUT0")], [_vector("OUTPUT0")],
                             "dynamic_batching { max_queue_delay_microseconds: 500000 }\n" + SINGLE_THREAD),
                square_cost_model())
    write_model(repo, "ens_fixed4",
                model_config("ens_fixed4", 8, [_vector("INPUT0", dims=[4])], [_vector("OUTPUT0", dims=[4])]),
                builders.identity_model("FP32", True, [4]))
    write_model(repo, "ens_identity_i64",
                model_config("ens_identity_i64", 8, [_vector("INPUT0", "TYPE_INT64")],
                             [_vector("OUTPUT0", "TYPE_INT64")]),
                builders.identity_model("INT64", True, [-1]))
    write_model(repo, "ens_gather",
                model_config("ens_gather", 8, [_vector("INDICES", "TYPE_INT64")], [_vector("OUT")]),
                gather_model())


def step(model, inputs, outputs, version=-1):
    """One ensemble step; `inputs`/`outputs` map the model's tensor names
    (keys) to ensemble tensor names (values), as in config.pbtxt."""
    maps = "".join(f'      input_map {{ key: "{k}" value: "{v}" }}\n' for k, v in inputs.items())
    maps += "".join(f'      output_map {{ key: "{k}" value: "{v}" }}\n' for k, v in outputs.items())
    return f'    {{\n      model_name: "{model}"\n      model_version: {version}\n{maps}    }}'


def ensemble_config(name, inputs, outputs, steps, max_batch_size=8):
    """`inputs`/`outputs`: (name, config type) pairs, all with dims [-1]."""
    return (f'name: "{name}"\nplatform: "ensemble"\nmax_batch_size: {max_batch_size}\n'
            "input [\n" + ",\n".join(_vector(n, t) for n, t in inputs) + "\n]\n"
            "output [\n" + ",\n".join(_vector(n, t) for n, t in outputs) + "\n]\n"
            "ensemble_scheduling {\n  step [\n" + ",\n".join(steps) + "\n  ]\n}\n")


FP32 = "TYPE_FP32"
INT64 = "TYPE_INT64"

# A diamond: add_sub splits A, B into SUM and diff; two slow branches run on
# them at the same time; add_sub joins them: (SUM + diff) = 2A, (SUM - diff) = 2B.
# SUM is both read by a step and returned.
BRANCH = ensemble_config(
    "ens_branch", [("A", FP32), ("B", FP32)], [("TWICE_A", FP32), ("TWICE_B", FP32), ("SUM", FP32)],
    [step("ens_add_sub", {"INPUT0": "A", "INPUT1": "B"}, {"OUTPUT0": "SUM", "OUTPUT1": "diff"}),
     step("ens_slow_a", {"INPUT0": "SUM"}, {"OUTPUT0": "sum_slow"}),
     step("ens_slow_b", {"INPUT0": "diff"}, {"OUTPUT0": "diff_slow"}, version=1),
     step("ens_add_sub", {"INPUT0": "sum_slow", "INPUT1": "diff_slow"},
          {"OUTPUT0": "TWICE_A", "OUTPUT1": "TWICE_B"})])

ENSEMBLES = {
    "ens_branch": BRANCH,
    # An ensemble of an ensemble: DOUBLE = 2X, through ens_branch with B = X.
    "ens_nested": ensemble_config(
        "ens_nested", [("X", FP32)], [("DOUBLE", FP32)],
        [step("ens_branch", {"A": "X", "B": "X"}, {"TWICE_A": "DOUBLE"})]),
    "ens_batching": ensemble_config(
        "ens_batching", [("IN", FP32)], [("OUT", FP32)],
        [step("ens_batched_step", {"INPUT0": "IN"}, {"OUTPUT0": "OUT"})]),
    # Step 2 fails for indices outside 0..9.
    "ens_fail": ensemble_config(
        "ens_fail", [("IDX", INT64)], [("OUT", FP32)],
        [step("ens_identity_i64", {"INPUT0": "IDX"}, {"OUTPUT0": "idx_copy"}),
         step("ens_gather", {"INDICES": "idx_copy"}, {"OUT": "OUT"})]),
    # Loads ([-1] meets [4]); a request of width 5 fails in step 1.
    "ens_shape": ensemble_config(
        "ens_shape", [("IN", FP32)], [("OUT", FP32)],
        [step("ens_fixed4", {"INPUT0": "IN"}, {"OUTPUT0": "OUT"})]),
}

# name -> (config, words its UNAVAILABLE reason must contain)
INVALID_ENSEMBLES = {
    "bad_unknown_model": (
        ensemble_config("bad_unknown_model", [("IN", FP32)], [("OUT", FP32)],
                        [step("no_such_model", {"INPUT0": "IN"}, {"OUTPUT0": "OUT"})]),
        ["step 1", "no_such_model", "not available"]),
    "bad_missing_tensor": (
        ensemble_config("bad_missing_tensor", [("IN", FP32)], [("OUT", FP32)],
                        [step("ens_add_sub", {"INPUT0": "IN", "INPUT1": "nowhere"},
                              {"OUTPUT0": "OUT"})]),
        ["nowhere", "neither an ensemble input nor produced"]),
    "bad_cycle": (
        ensemble_config("bad_cycle", [("IN", FP32)], [("OUT", FP32)],
                        [step("ens_add_sub", {"INPUT0": "IN", "INPUT1": "loop_b"},
                              {"OUTPUT0": "loop_a", "OUTPUT1": "OUT"}),
                         step("ens_slow_a", {"INPUT0": "loop_a"}, {"OUTPUT0": "loop_b"})]),
        ["cycle", "step 1 (model 'ens_add_sub')", "step 2 (model 'ens_slow_a')"]),
    "bad_dtype": (
        ensemble_config("bad_dtype", [("IN", FP32)], [("OUT", INT64)],
                        [step("ens_identity_i64", {"INPUT0": "IN"}, {"OUTPUT0": "OUT"})]),
        ["data type mismatch", "TYPE_FP32", "TYPE_INT64", "'IN'"]),
    "bad_unknown_input": (
        ensemble_config("bad_unknown_input", [("IN", FP32)], [("OUT", FP32)],
                        [step("ens_slow_a", {"NOPE": "IN"}, {"OUTPUT0": "OUT"})]),
        ["'NOPE'", "does not have"]),
    "bad_batch_size": (
        ensemble_config("bad_batch_size", [("IN", FP32)], [("OUT", FP32)],
                        [step("ens_slow_a", {"INPUT0": "IN"}, {"OUTPUT0": "OUT"})], max_batch_size=16),
        ["max_batch_size", "16", "8"]),
    "bad_uses_bad": (
        ensemble_config("bad_uses_bad", [("IN", FP32)], [("OUT", FP32)],
                        [step("bad_cycle", {"IN": "IN"}, {"OUT": "OUT"})]),
        ["bad_cycle", "not available"]),
    # Two ensembles that use each other.
    "bad_mutual_a": (
        ensemble_config("bad_mutual_a", [("IN", FP32)], [("OUT", FP32)],
                        [step("bad_mutual_b", {"IN": "IN"}, {"OUT": "OUT"})]),
        ["cycle", "'bad_mutual_a'", "'bad_mutual_b'"]),
    "bad_mutual_b": (
        ensemble_config("bad_mutual_b", [("IN", FP32)], [("OUT", FP32)],
                        [step("bad_mutual_a", {"IN": "IN"}, {"OUT": "OUT"})]),
        ["cycle", "'bad_mutual_a'", "'bad_mutual_b'"]),
}

COMPOSING_MODELS = ["ens_add_sub", "ens_slow_a", "ens_slow_b", "ens_batched_step", "ens_fixed4",
                    "ens_identity_i64", "ens_gather"]


def write_ensemble_repository(repo):
    write_composing_models(repo)
    for name, config in ENSEMBLES.items():
        # Triton's layout has an empty version folder; `ens_nested` leaves it
        # out to show inferd serves it as version 1 anyway.
        write_model(repo, name, config, None, versions=() if name == "ens_nested" else (1,))
    for name, (config, _) in INVALID_ENSEMBLES.items():
        write_model(repo, name, config, None)
    return repo
