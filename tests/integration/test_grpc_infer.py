"""ModelInfer over gRPC with the stock tritonclient.grpc (raw contents) and
hand-built typed contents: output selection, request ids, parameters,
BYTES, classification, versions, compression, many concurrent clients and
async_infer with callbacks."""

import threading

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from models import repositories

pytestmark = pytest.mark.timeout(60)


def simple_data(seed, batch=1):
    rng = np.random.default_rng(seed)
    a = rng.integers(-1000, 1000, size=(batch, 16), dtype=np.int32)
    b = rng.integers(-1000, 1000, size=(batch, 16), dtype=np.int32)
    return a, b


def simple_inputs(a, b):
    inputs = []
    for name, data in (("INPUT0", a), ("INPUT1", b)):
        tensor = grpcclient.InferInput(name, list(data.shape), "INT32")
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    return inputs


def assert_answered_raw(response):
    """Triton's server always answers with raw_output_contents, one per
    output in order; tritonclient's as_numpy relies on it."""
    assert len(response.raw_output_contents) == len(response.outputs), response
    for output in response.outputs:
        assert not output.contents.ListFields(), f"{output.name} came back typed"


@pytest.mark.parametrize("batch", [1, 2, 8])
def test_simple_add_sub(grpc_client, batch):
    a, b = simple_data(seed=batch, batch=batch)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]
    result = grpc_client.infer("simple", simple_inputs(a, b), outputs=outputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
    response = result.get_response()
    assert (response.model_name, response.model_version) == ("simple", "1")
    assert_answered_raw(response)
    described = {o.name: (o.datatype, list(o.shape)) for o in response.outputs}
    assert described == {"OUTPUT0": ("INT32", [batch, 16]), "OUTPUT1": ("INT32", [batch, 16])}


def test_no_requested_outputs_returns_all(grpc_client):
    a, b = simple_data(seed=11)
    result = grpc_client.infer("simple", simple_inputs(a, b))
    assert sorted(o.name for o in result.get_response().outputs) == ["OUTPUT0", "OUTPUT1"]
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


@pytest.mark.parametrize("wanted", ["OUTPUT0", "OUTPUT1"])
def test_only_requested_output_comes_back(grpc_client, wanted):
    a, b = simple_data(seed=12)
    result = grpc_client.infer("simple", simple_inputs(a, b),
                               outputs=[grpcclient.InferRequestedOutput(wanted)])
    response = result.get_response()
    assert [o.name for o in response.outputs] == [wanted]
    assert len(response.raw_output_contents) == 1
    other = "OUTPUT1" if wanted == "OUTPUT0" else "OUTPUT0"
    assert result.as_numpy(other) is None
    np.testing.assert_array_equal(result.as_numpy(wanted), a + b if wanted == "OUTPUT0" else a - b)


def test_request_id_is_echoed(grpc_client):
    a, b = simple_data(seed=13)
    result = grpc_client.infer("simple", simple_inputs(a, b), request_id="req-42-\u00e9")
    assert result.get_response().id == "req-42-\u00e9"
    assert grpc_client.infer("simple", simple_inputs(a, b)).get_response().id == ""


def test_custom_parameters_are_accepted(grpc_client):
    a, b = simple_data(seed=14)
    result = grpc_client.infer("simple", simple_inputs(a, b), request_id="with-params",
                               parameters={"note": "from a test", "answer": 42, "flag": True,
                                           "ratio": 0.25})
    assert result.get_response().id == "with-params"
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)


def test_typed_contents_on_simple(server):
    a, b = simple_data(seed=15, batch=3)
    message = grpc_raw.request("simple", [grpc_raw.typed_input("INPUT0", "INT32", a),
                                          grpc_raw.typed_input("INPUT1", "INT32", b)],
                               outputs=["OUTPUT1"], request_id="typed")
    with grpc_raw.stub(server) as service:
        response = service.ModelInfer(message, timeout=30)
    assert response.id == "typed"
    assert_answered_raw(response)
    assert [o.name for o in response.outputs] == ["OUTPUT1"]
    result = grpcclient.InferResult(response)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


def test_simple_nobatch(grpc_client):
    rng = np.random.default_rng(16)
    a = rng.standard_normal((2, 4)).astype(np.float32)
    b = rng.standard_normal((2, 4)).astype(np.float32)
    inputs = []
    for name, data in (("INPUT0", a), ("INPUT1", b)):
        tensor = grpcclient.InferInput(name, [2, 4], "FP32")
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    result = grpc_client.infer("simple_nobatch", inputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


def _decimal_strings(data):
    return np.array([str(v).encode() for v in data.flatten()], dtype=np.object_).reshape(data.shape)


def _as_ints(array):
    return np.array([int(v.decode() if isinstance(v, bytes) else v) for v in array.flatten()]).reshape(
        array.shape)


@pytest.mark.parametrize("typed", [False, True], ids=["raw", "typed"])
def test_simple_string_bytes_in_and_out(grpc_client, server, typed):
    a, b = simple_data(seed=17, batch=2)
    if typed:
        message = grpc_raw.request("simple_string", [
            grpc_raw.typed_input("INPUT0", "BYTES", _decimal_strings(a)),
            grpc_raw.typed_input("INPUT1", "BYTES", _decimal_strings(b))])
        with grpc_raw.stub(server) as service:
            result = grpcclient.InferResult(service.ModelInfer(message, timeout=30))
    else:
        inputs = []
        for name, data in (("INPUT0", a), ("INPUT1", b)):
            tensor = grpcclient.InferInput(name, list(data.shape), "BYTES")
            tensor.set_data_from_numpy(_decimal_strings(data))
            inputs.append(tensor)
        result = grpc_client.infer("simple_string", inputs)
    for name, expected in (("OUTPUT0", a + b), ("OUTPUT1", a - b)):
        actual = result.as_numpy(name)
        assert actual.shape == expected.shape
        np.testing.assert_array_equal(_as_ints(actual), expected)


def test_classification_uses_label_file(grpc_client):
    logits = np.array([[0.1, 3.0, -1.0, 2.0, 0.5],
                       [5.0, -2.0, 0.0, 1.0, 4.0]], dtype=np.float32)
    tensor = grpcclient.InferInput("INPUT0", list(logits.shape), "FP32")
    tensor.set_data_from_numpy(logits)
    output = grpcclient.InferRequestedOutput("PROBS", class_count=3)
    result = grpc_client.infer("classifier", [tensor], outputs=[output])
    classes = result.as_numpy("PROBS")
    assert classes.shape == (2, 3)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for row in range(2):
        expected_order = np.argsort(-probabilities[row])[:3]
        for rank, entry in enumerate(classes[row]):
            value, index, label = entry.decode().split(":")
            assert int(index) == expected_order[rank], entry
            assert label == repositories.CLASSIFIER_LABELS[int(index)], entry
            assert float(value) == pytest.approx(probabilities[row, int(index)], rel=1e-4), entry


def _versioned_infer(grpc_client, version):
    data = np.array([[0.0, 1.5, -2.25, 100.0]], dtype=np.float32)
    tensor = grpcclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data)
    return data, grpc_client.infer("simple_versioned", [tensor], model_version=version)


@pytest.mark.parametrize("version,served", [("1", "1"), ("3", "3"), ("", "3")])
def test_versions_add_their_number(grpc_client, version, served):
    data, result = _versioned_infer(grpc_client, version)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data + int(served))
    assert result.get_response().model_version == served


def test_version_outside_policy_is_refused_as_over_http(grpc_client, client, server):
    from test_grpc_bad_input import HTTP_TO_GRPC
    with pytest.raises(InferenceServerException) as raised:
        _versioned_infer(grpc_client, "2")
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 4), dtype=np.float32))
    with pytest.raises(InferenceServerException) as over_http:
        client.infer("simple_versioned", [tensor], model_version="2")
    grpc_raw.assert_code_and_words(raised.value, HTTP_TO_GRPC[over_http.value.status()],
                                   ["simple_versioned", "2"])
    assert raised.value.message() == over_http.value.message()
    grpc_raw.assert_other_model_still_serves(server)


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_compressed_request(grpc_client, algorithm):
    a, b = simple_data(seed=18, batch=4)
    result = grpc_client.infer("simple", simple_inputs(a, b), compression_algorithm=algorithm)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)


@pytest.mark.timeout(120)
def test_many_concurrent_clients_get_their_own_answers(server):
    threads_count, requests_each = 8, 15
    errors = []

    def worker(worker_id):
        triton = grpcclient.InferenceServerClient(url=server.grpc_url)
        try:
            for i in range(requests_each):
                a, b = simple_data(seed=1000 + worker_id * 100 + i, batch=1 + (i % 3))
                result = triton.infer("simple", simple_inputs(a, b), request_id=f"{worker_id}-{i}",
                                      client_timeout=60)
                if result.get_response().id != f"{worker_id}-{i}":
                    errors.append(f"worker {worker_id} request {i}: wrong id")
                if not np.array_equal(result.as_numpy("OUTPUT0"), a + b):
                    errors.append(f"worker {worker_id} request {i}: wrong OUTPUT0")
                if not np.array_equal(result.as_numpy("OUTPUT1"), a - b):
                    errors.append(f"worker {worker_id} request {i}: wrong OUTPUT1")
        except Exception as error:  # reported below with the worker's id
            errors.append(f"worker {worker_id}: {error!r}")
        finally:
            triton.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=100)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    assert errors == []


@pytest.mark.timeout(120)
def test_async_infer_many_in_flight_with_callbacks(grpc_client):
    count = 64
    results, lock, done = {}, threading.Lock(), threading.Event()

    def callback(request_id, result, error):
        with lock:
            results[request_id] = (result, error)
            if len(results) == count:
                done.set()

    sent = {}
    for i in range(count):
        a, b = simple_data(seed=5000 + i, batch=1 + (i % 4))
        sent[str(i)] = (a, b)
        grpc_client.async_infer("simple", simple_inputs(a, b),
                                callback=lambda result, error, rid=str(i): callback(rid, result, error),
                                request_id=str(i), client_timeout=60)
    assert done.wait(timeout=90), f"only {len(results)} of {count} callbacks arrived"
    for request_id, (a, b) in sent.items():
        result, error = results[request_id]
        assert error is None, f"request {request_id}: {error}"
        assert result.get_response().id == request_id
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


def test_async_infer_error_arrives_in_callback(grpc_client):
    outcome, done = {}, threading.Event()

    def callback(result, error):
        outcome.update(result=result, error=error)
        done.set()

    a, b = simple_data(seed=19)
    grpc_client.async_infer("no_such_model", simple_inputs(a, b), callback=callback)
    assert done.wait(timeout=30)
    assert outcome["result"] is None
    grpc_raw.assert_code_and_words(outcome["error"], grpc.StatusCode.NOT_FOUND, ["no_such_model"])
