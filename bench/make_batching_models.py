"""Writes the four variants of one batchable CPU model that `make bench`
compares: no batching, dynamic batching, two instances, and both.

The model is a small MLP (FP32 [-1, 512] -> 2048 -> 2048 -> 16, ReLU between, 5.2 M weights),
max_batch_size 16: at batch 1 its fixed per-execution cost is a large part of
the work, which is what dynamic batching amortises. Weights are fixed-seed
random; only the shapes matter for timing.

Usage: python bench/make_batching_models.py REPOSITORY_DIR
"""

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTHS = (512, 2048, 2048, 16)
MAX_BATCH_SIZE = 16

VARIANTS = {
    "mlp_plain": ("", 1),
    "mlp_batching": ("dynamic_batching { max_queue_delay_microseconds: 100 }", 1),
    "mlp_two_instances": ("", 2),
    "mlp_batching_two_instances": ("dynamic_batching { max_queue_delay_microseconds: 100 }", 2),
}


def mlp_model():
    rng = np.random.default_rng(7)
    nodes, initializers = [], []
    current = "INPUT0"
    for layer, (fan_in, fan_out) in enumerate(zip(WIDTHS, WIDTHS[1:])):
        weight = f"w{layer}"
        initializers.append(numpy_helper.from_array(
            (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32), weight))
        last = layer == len(WIDTHS) - 2
        product = "OUTPUT0" if last else f"h{layer}"
        nodes.append(helper.make_node("MatMul", [current, weight], [product]))
        if not last:
            nodes.append(helper.make_node("Relu", [product], [f"r{layer}"]))
            current = f"r{layer}"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, ["batch", WIDTHS[0]])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, ["batch", WIDTHS[-1]])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def config(name, batching, instances):
    return f"""name: "{name}"
backend: "onnxruntime"
max_batch_size: {MAX_BATCH_SIZE}
input [ {{ name: "INPUT0" data_type: TYPE_FP32 dims: [ {WIDTHS[0]} ] }} ]
output [ {{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ {WIDTHS[-1]} ] }} ]
instance_group [ {{ count: {instances} kind: KIND_CPU }} ]
{batching}
"""


def main(repository):
    model = mlp_model()
    for name, (batching, instances) in VARIANTS.items():
        version_dir = Path(repository) / name / "1"
        version_dir.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(version_dir / "model.onnx"))
        (Path(repository) / name / "config.pbtxt").write_text(config(name, batching, instances))


if __name__ == "__main__":
    main(sys.argv[1])
