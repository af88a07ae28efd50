"""Inference over HTTP on the examples/simple models and the test models:
JSON/binary combinations, output selection, request ids, classification,
many concurrent clients and keep-alive connection reuse."""

import http.client
import json
import threading

import numpy as np
import pytest
import tritonclient.http as httpclient

import http_raw
from models import repositories

pytestmark = pytest.mark.timeout(60)


def simple_inputs(a, b, binary=True):
    inputs = []
    for name, data in (("INPUT0", a), ("INPUT1", b)):
        tensor = httpclient.InferInput(name, list(data.shape), "INT32")
        tensor.set_data_from_numpy(data, binary_data=binary)
        inputs.append(tensor)
    return inputs


def simple_data(seed, batch=1):
    rng = np.random.default_rng(seed)
    a = rng.integers(-1000, 1000, size=(batch, 16), dtype=np.int32)
    b = rng.integers(-1000, 1000, size=(batch, 16), dtype=np.int32)
    return a, b


@pytest.mark.parametrize("binary_in", [False, True], ids=["json-in", "binary-in"])
@pytest.mark.parametrize("binary_out", [False, True], ids=["json-out", "binary-out"])
def test_simple_add_sub(client, binary_in, binary_out):
    a, b = simple_data(seed=1, batch=2)
    outputs = [httpclient.InferRequestedOutput("OUTPUT0", binary_data=binary_out),
               httpclient.InferRequestedOutput("OUTPUT1", binary_data=binary_out)]
    result = client.infer("simple", simple_inputs(a, b, binary_in), outputs=outputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
    response = result.get_response()
    assert response["model_name"] == "simple"
    assert response["model_version"] == "1"


def test_no_requested_outputs_returns_all(client):
    a, b = simple_data(seed=2)
    result = client.infer("simple", simple_inputs(a, b))
    names = sorted(o["name"] for o in result.get_response()["outputs"])
    assert names == ["OUTPUT0", "OUTPUT1"]
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


@pytest.mark.parametrize("binary_out", [False, True])
def test_only_requested_outputs_come_back(client, binary_out):
    a, b = simple_data(seed=3)
    result = client.infer("simple", simple_inputs(a, b),
                          outputs=[httpclient.InferRequestedOutput("OUTPUT1", binary_data=binary_out)])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["OUTPUT1"]
    assert result.as_numpy("OUTPUT0") is None
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


def test_request_id_is_echoed(client):
    a, b = simple_data(seed=4)
    result = client.infer("simple", simple_inputs(a, b), request_id="req-42-\u00e9")
    assert result.get_response()["id"] == "req-42-\u00e9"


def test_request_without_id_has_no_id_or_empty_one(client):
    a, b = simple_data(seed=5)
    result = client.infer("simple", simple_inputs(a, b))
    assert result.get_response().get("id", "") == ""


def test_pure_json_request_and_response(server):
    body = http_raw.simple_inputs_json(batch=1)
    body["id"] = "json-only"
    body["outputs"] = [{"name": "OUTPUT0"}]
    response = http_raw.post_json(server, "/v2/models/simple/infer", body)
    assert response.status == 200, response.body
    assert response.headers.get("Content-Type", "").startswith("application/json")
    parsed = response.json()
    assert parsed["id"] == "json-only"
    assert parsed["model_name"] == "simple"
    assert len(parsed["outputs"]) == 1
    output = parsed["outputs"][0]
    assert (output["name"], output["datatype"], output["shape"]) == ("OUTPUT0", "INT32", [1, 16])
    assert output["data"] == [2 * v for v in range(16)]


def test_simple_nobatch(client):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 4)).astype(np.float32)
    b = rng.standard_normal((2, 4)).astype(np.float32)
    inputs = []
    for name, data in (("INPUT0", a), ("INPUT1", b)):
        tensor = httpclient.InferInput(name, [2, 4], "FP32")
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    result = client.infer("simple_nobatch", inputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


@pytest.mark.parametrize("binary", [False, True])
def test_simple_string_decimal_arithmetic(client, binary):
    a, b = simple_data(seed=7, batch=2)
    inputs = []
    for name, data in (("INPUT0", a), ("INPUT1", b)):
        strings = np.array([str(v).encode() for v in data.flatten()], dtype=np.object_).reshape(data.shape)
        tensor = httpclient.InferInput(name, list(data.shape), "BYTES")
        tensor.set_data_from_numpy(strings, binary_data=binary)
        inputs.append(tensor)
    outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in ("OUTPUT0", "OUTPUT1")]
    result = client.infer("simple_string", inputs, outputs=outputs)
    for name, expected in (("OUTPUT0", a + b), ("OUTPUT1", a - b)):
        actual = result.as_numpy(name)
        assert actual.shape == expected.shape
        as_ints = np.array([int(v.decode() if isinstance(v, bytes) else v) for v in actual.flatten()])
        np.testing.assert_array_equal(as_ints.reshape(expected.shape), expected)


@pytest.mark.parametrize("binary_out", [False, True])
def test_classification_uses_label_file(client, binary_out):
    logits = np.array([[0.1, 3.0, -1.0, 2.0, 0.5],
                       [5.0, -2.0, 0.0, 1.0, 4.0]], dtype=np.float32)
    tensor = httpclient.InferInput("INPUT0", list(logits.shape), "FP32")
    tensor.set_data_from_numpy(logits)
    output = httpclient.InferRequestedOutput("PROBS", binary_data=binary_out, class_count=3)
    result = client.infer("classifier", [tensor], outputs=[output])
    classes = result.as_numpy("PROBS")
    assert classes.shape == (2, 3)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for row in range(2):
        expected_order = np.argsort(-probabilities[row])[:3]
        for rank, entry in enumerate(classes[row]):
            text = entry.decode() if isinstance(entry, bytes) else str(entry)
            value, index, label = text.split(":")
            assert int(index) == expected_order[rank], text
            assert label == repositories.CLASSIFIER_LABELS[int(index)], text
            assert float(value) == pytest.approx(probabilities[row, int(index)], rel=1e-4), text


@pytest.mark.timeout(120)
def test_many_concurrent_clients_get_their_own_answers(server):
    threads_count, requests_each = 8, 15
    errors = []

    def worker(worker_id):
        triton = httpclient.InferenceServerClient(url=server.url)
        try:
            for i in range(requests_each):
                a, b = simple_data(seed=1000 + worker_id * 100 + i, batch=1 + (i % 3))
                result = triton.infer("simple", simple_inputs(a, b, binary=bool(i % 2)),
                                      request_id=f"{worker_id}-{i}")
                if result.get_response()["id"] != f"{worker_id}-{i}":
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
def test_async_infer_many_in_flight(server):
    triton = httpclient.InferenceServerClient(url=server.url, concurrency=6)
    try:
        pending = []
        for i in range(40):
            a, b = simple_data(seed=5000 + i, batch=1 + (i % 4))
            pending.append((a, b, triton.async_infer("simple", simple_inputs(a, b),
                                                     request_id=str(i))))
        for i, (a, b, request) in enumerate(pending):
            result = request.get_result(timeout=60)
            assert result.get_response()["id"] == str(i)
            np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
            np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)
    finally:
        triton.close()


def test_keep_alive_connection_is_reused(server):
    """Ten requests on one HTTP/1.1 connection: the server must not close it
    between requests (tritonclient and perf_analyzer rely on this)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    try:
        first_socket = None
        for i in range(10):
            body = http_raw.simple_inputs_json(batch=1)
            body["id"] = f"ka-{i}"
            connection.request("POST", "/v2/models/simple/infer", body=json.dumps(body),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            assert response.status == 200, payload
            assert json.loads(payload)["id"] == f"ka-{i}"
            assert response.getheader("Connection", "").lower() != "close"
            if first_socket is None:
                first_socket = connection.sock
            assert connection.sock is first_socket, f"connection was reopened at request {i}"
        # A GET on the same connection works too.
        connection.request("GET", "/v2/health/ready")
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and connection.sock is first_socket
    finally:
        connection.close()
