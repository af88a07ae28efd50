"""Models and configs for the dynamic batching tests.

`square_cost_model`: INPUT0 FP32 [batch, w] -> OUTPUT0 = INPUT0, exactly.
On the side it computes (XᵀX)(XᵀX), a w x w x w product whose result is
multiplied by zero and added to the output, so the output stays the input
while the execution costs about 2·w³ flops. The width a request sends
therefore picks how slow its execution is (w = 4: instant; w = 1000: a large
fraction of a second on one core), whatever the batch size; requests of
different widths are never batched together.
"""

from onnx import TensorProto, helper

from . import onnx_builders as builders
from .repositories import model_config, tensor_config, write_model


def square_cost_model():
    nodes = [
        helper.make_node("Transpose", ["INPUT0"], ["XT"], perm=[1, 0]),
        helper.make_node("MatMul", ["XT", "INPUT0"], ["GRAM"]),          # [w, w]
        helper.make_node("MatMul", ["GRAM", "GRAM"], ["GRAM2"]),         # the w³ part
        helper.make_node("ReduceSum", ["GRAM2"], ["TOTAL"], keepdims=0),  # scalar
        helper.make_node("Mul", ["TOTAL", "ZERO"], ["NOTHING"]),
        helper.make_node("Add", ["INPUT0", "NOTHING"], ["OUTPUT0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "square_cost",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, ["batch", "width"])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, ["batch", "width"])],
        initializer=[helper.make_tensor("ZERO", TensorProto.FLOAT, [], [0.0])],
    )
    return builders._finish(graph)


def batching_config(name, max_batch_size, batching_text, instances=1):
    return model_config(
        name, max_batch_size,
        [tensor_config("INPUT0", "TYPE_FP32", [-1])],
        [tensor_config("OUTPUT0", "TYPE_FP32", [-1])],
        f"dynamic_batching {{\n{batching_text}\n}}\n"
        f"instance_group [ {{ count: {instances} kind: KIND_CPU }} ]\n")


# name -> (max_batch_size, dynamic_batching body, instance count)
BATCHING_MODELS = {
    "db_default": (8, "", 1),
    "db_preferred": (8, "preferred_batch_size: [ 2 ]\nmax_queue_delay_microseconds: 5000000", 1),
    "db_delay": (8, "preferred_batch_size: [ 8 ]\nmax_queue_delay_microseconds: 400000", 1),
    "db_queue_limit": (1, "default_queue_policy { max_queue_size: 2 }", 1),
    "db_reject": (1, "default_queue_policy { timeout_action: REJECT default_timeout_microseconds: 150000 }", 1),
    "db_delay_policy": (1, "default_queue_policy { timeout_action: DELAY allow_timeout_override: true }", 1),
    "db_priority": (1, "priority_levels: 2\ndefault_priority_level: 2", 1),
    "db_ordered": (1, "preserve_ordering: true", 2),
    "db_two_instances": (1, "", 2),
}


def write_batching_repository(repo):
    model = square_cost_model()
    for name, (max_batch_size, body, instances) in BATCHING_MODELS.items():
        write_model(repo, name, batching_config(name, max_batch_size, body, instances), model)
    return repo
