"""Triton's `reshape` config field, driven by the stock tritonclient.

The client sends and receives tensors in the config `dims` (batch dimension
in front when max_batch_size > 0); the model takes and produces the
`reshape` shape. The graphs (models/reshape_models.py) declare only the
reshape shape, so a server that forgot to reshape fails in ONNX Runtime, and
the ones that transpose turn a wrong layout into wrong numbers.

All models, the two broken ones included, live in one repository served by
one server for the whole module.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from models import reshape_models as rm
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def reshape_server(inferd_binary, tmp_path_factory):
    repo = rm.write_reshape_models(tmp_path_factory.mktemp("reshape_repo"))
    log_dir = tmp_path_factory.mktemp("reshape_server")
    server = start_or_fail(InferdServer([repo], log_dir / "inferd.log", binary=inferd_binary))
    yield server
    server.stop()


@pytest.fixture
def http(reshape_server):
    triton = httpclient.InferenceServerClient(url=reshape_server.url, connection_timeout=30,
                                              network_timeout=30)
    yield triton
    triton.close()


@pytest.fixture
def grpc(reshape_server):
    if not reshape_server.serves_grpc():
        pytest.fail(f"{reshape_server.binary} has no gRPC service")
    triton = grpcclient.InferenceServerClient(url=reshape_server.grpc_url)
    yield triton
    triton.close()


PROTOCOLS = ["http", "grpc"]


def client_module(protocol):
    return httpclient if protocol == "http" else grpcclient


def infer_one(triton, protocol, model, data, input_name="INPUT0", output_name="OUTPUT0"):
    """One FP32 request; returns the output array."""
    module = client_module(protocol)
    tensor = module.InferInput(input_name, list(data.shape), "FP32")
    tensor.set_data_from_numpy(data)
    result = triton.infer(model, [tensor], outputs=[module.InferRequestedOutput(output_name)])
    return result.as_numpy(output_name)


def test_good_models_are_ready(http):
    for model in rm.GOOD_MODELS:
        assert http.is_model_ready(model), model


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unbatched_reshape_in_and_out(http, grpc, protocol):
    triton = http if protocol == "http" else grpc
    x = np.arange(48, dtype=np.float32).reshape(3, 4, 4) - 10.5
    y = infer_one(triton, protocol, "reshape_image", x)
    assert y.shape == (48,)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, rm.expected_image(x))


def test_unbatched_metadata_shows_dims_not_reshape(http, grpc):
    metadata = http.get_model_metadata("reshape_image")
    assert [int(d) for d in metadata["inputs"][0]["shape"]] == [3, 4, 4]
    assert [int(d) for d in metadata["outputs"][0]["shape"]] == [48]
    grpc_metadata = grpc.get_model_metadata("reshape_image")
    assert list(grpc_metadata.inputs[0].shape) == [3, 4, 4]
    assert list(grpc_metadata.outputs[0].shape) == [48]


def test_unbatched_request_in_the_reshape_shape_is_rejected(http):
    # The client follows dims; the model's own shape is not accepted as input.
    x = np.zeros((1, 3, 4, 4), dtype=np.float32)
    with pytest.raises(InferenceServerException) as error:
        infer_one(http, "http", "reshape_image", x)
    message = str(error.value)
    assert "unexpected shape" in message and "INPUT0" in message, message
    # ...and the model keeps serving.
    ok = np.ones((3, 4, 4), dtype=np.float32)
    np.testing.assert_array_equal(infer_one(http, "http", "reshape_image", ok), rm.expected_image(ok))


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("rows", [1, 3, 8])
def test_batched_scalar_reshape(http, grpc, protocol, rows):
    triton = http if protocol == "http" else grpc
    x = (np.arange(rows, dtype=np.float32) * 1.5 - 2.0).reshape(rows, 1)
    y = infer_one(triton, protocol, "reshape_scalar", x)
    assert y.shape == (rows, 1)
    np.testing.assert_array_equal(y, rm.expected_scalar(x))


def test_batched_metadata_shows_batch_and_dims(http):
    metadata = http.get_model_metadata("reshape_scalar")
    assert [int(d) for d in metadata["inputs"][0]["shape"]] == [-1, 1]
    assert [int(d) for d in metadata["outputs"][0]["shape"]] == [-1, 1]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("rows,variable", [(1, 1), (2, 3), (4, 5), (8, 2)])
def test_variable_dims_carry_over_the_reshape(http, grpc, protocol, rows, variable):
    triton = http if protocol == "http" else grpc
    x = np.random.default_rng(rows * 10 + variable).random((rows, variable, 4), dtype=np.float32)
    y = infer_one(triton, protocol, "reshape_variable", x)
    assert y.shape == (rows, variable, 4)
    np.testing.assert_array_equal(y, rm.expected_variable(x))


def test_variable_dims_fixed_part_still_checked(http):
    x = np.zeros((2, 3, 5), dtype=np.float32)  # dims [-1, 4]: 5 is wrong
    with pytest.raises(InferenceServerException) as error:
        infer_one(http, "http", "reshape_variable", x)
    assert "unexpected shape" in str(error.value), str(error.value)


def test_dynamic_batching_with_reshape(reshape_server):
    threads, per_thread = 6, 8
    barrier = threading.Barrier(threads)

    def run(index):
        triton = httpclient.InferenceServerClient(url=reshape_server.url, connection_timeout=60,
                                                  network_timeout=60)
        wrong = []
        try:
            barrier.wait(timeout=30)
            for i in range(per_thread):
                rows = 1 + (index + i) % 2
                x = (np.arange(rows, dtype=np.float32) + index * 100 + i * 7).reshape(rows, 1)
                y = infer_one(triton, "http", "reshape_scalar_db", x)
                if y.shape != (rows, 1) or not np.array_equal(y, rm.expected_scalar(x)):
                    wrong.append((index, i, x.tolist(), None if y is None else y.tolist()))
        finally:
            triton.close()
        return wrong

    with ThreadPoolExecutor(threads) as pool:
        wrong = [w for result in pool.map(run, range(threads)) for w in result]
    assert wrong == []

    requests = threads * per_thread
    rows = sum(1 + (t + i) % 2 for t in range(threads) for i in range(per_thread))
    triton = httpclient.InferenceServerClient(url=reshape_server.url)
    try:
        stats = triton.get_inference_statistics("reshape_scalar_db")["model_stats"]
    finally:
        triton.close()
    assert len(stats) == 1, stats
    stats = stats[0]
    assert int(stats["inference_stats"]["success"]["count"]) == requests
    assert int(stats["inference_count"]) == rows
    # Batches formed: fewer executions than requests.
    assert int(stats["execution_count"]) < requests, stats
    batch_stats = {int(e["batch_size"]): int(e["compute_infer"]["count"]) for e in stats.get("batch_stats", [])}
    assert batch_stats and max(batch_stats) > 1, batch_stats
    assert max(batch_stats) <= 8, batch_stats


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_ensemble_of_reshaped_batched_steps(http, grpc, protocol):
    triton = http if protocol == "http" else grpc
    x = np.array([[0.0], [1.0], [-2.5], [10.0]], dtype=np.float32)
    y = infer_one(triton, protocol, "ens_reshape_scalar", x, "X", "Y")
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y, rm.expected_scalar(rm.expected_scalar(x)))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_ensemble_of_reshaped_unbatched_step(http, grpc, protocol):
    triton = http if protocol == "http" else grpc
    x = np.random.default_rng(5).random((3, 4, 4), dtype=np.float32)
    y = infer_one(triton, protocol, "ens_reshape_image", x, "IMAGE", "FLAT")
    assert y.shape == (48,)
    np.testing.assert_array_equal(y, rm.expected_image(x))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _parse_classes(row):
    parsed = []
    for entry in row:
        text = entry.decode() if isinstance(entry, bytes) else str(entry)
        value, index, label = text.split(":", 2)
        parsed.append((float(value), int(index), label))
    return parsed


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_classification_on_a_reshaped_output(http, grpc, protocol):
    triton = http if protocol == "http" else grpc
    module = client_module(protocol)
    x = np.array([[0.1, 3.0, -1.0, 2.0, 0.5],
                  [5.0, -2.0, 1.0, 0.0, 4.0]], dtype=np.float32)
    tensor = module.InferInput("INPUT0", [2, 5], "FP32")
    tensor.set_data_from_numpy(x)
    result = triton.infer("reshape_classifier", [tensor],
                          outputs=[module.InferRequestedOutput("PROBS", class_count=3)])
    classes = result.as_numpy("PROBS")
    assert classes.shape == (2, 3), classes
    probs = _softmax(x.astype(np.float64))
    for row in range(2):
        parsed = _parse_classes(classes[row])
        expected_order = list(np.argsort(-probs[row])[:3])
        assert [index for _, index, _ in parsed] == expected_order, parsed
        assert [label for _, _, label in parsed] == [rm.CLASSIFIER_LABELS[i] for i in expected_order]
        for value, index, _ in parsed:
            assert value == pytest.approx(probs[row][index], rel=1e-4, abs=1e-6)


def test_classifier_without_class_count_returns_dims_shape(http):
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]], dtype=np.float32)
    y = infer_one(http, "http", "reshape_classifier", x, "INPUT0", "PROBS")
    assert y.shape == (1, 5)
    np.testing.assert_allclose(y, _softmax(x), rtol=1e-5)


def test_bad_reshape_is_unavailable_with_reason_naming_the_tensor(http, grpc):
    index = http.get_model_repository_index()
    for model, words in rm.BAD_MODELS.items():
        rows = [row for row in index if row["name"] == model]
        assert rows, f"{model} missing from the repository index: {index}"
        for row in rows:
            assert row["state"] == "UNAVAILABLE", row
            reason = row.get("reason", "")
            for word in words:
                assert word in reason, f"{model}: reason {reason!r} lacks {word!r}"
        assert not http.is_model_ready(model)
    grpc_rows = {row.name: row for row in grpc.get_model_repository_index().models}
    for model, words in rm.BAD_MODELS.items():
        assert grpc_rows[model].state == "UNAVAILABLE", grpc_rows[model]
        assert words[0] in grpc_rows[model].reason, grpc_rows[model]
    for model in rm.GOOD_MODELS:
        states = [row["state"] for row in index if row["name"] == model]
        assert states == ["READY"], (model, states)


def test_bad_reshape_refuses_inference_while_good_model_serves(http):
    x = np.zeros((1, 4), dtype=np.float32)
    with pytest.raises(InferenceServerException) as error:
        infer_one(http, "http", "bad_reshape_input", x, "BAD_IN", "OUTPUT0")
    assert "bad_reshape_input" in str(error.value), str(error.value)
    ok = np.full((2, 1), 4.0, dtype=np.float32)
    np.testing.assert_array_equal(infer_one(http, "http", "reshape_scalar", ok), rm.expected_scalar(ok))
