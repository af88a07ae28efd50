"""ModelStreamInfer with the stock client's start_stream /
async_stream_infer / stop_stream: many requests on one stream, responses
matched by request id, bad requests reported in the stream without closing
it, several streams at once, and a stream that sends nothing."""

import threading

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2

import grpc_raw
from test_grpc_infer import simple_data, simple_inputs

pytestmark = pytest.mark.timeout(120)


class StreamCollector:
    """The stream callback: records (result, error) pairs until `expected`
    responses arrived."""

    def __init__(self, expected):
        self.expected = expected
        self.results, self.errors = [], []
        self._lock = threading.Lock()
        self.done = threading.Event()

    def __call__(self, result, error):
        with self._lock:
            if error is not None:
                self.errors.append(error)
            else:
                self.results.append(result)
            if len(self.results) + len(self.errors) >= self.expected:
                self.done.set()

    def wait(self, timeout=90):
        assert self.done.wait(timeout), (
            f"{len(self.results)} results and {len(self.errors)} errors of {self.expected} arrived: "
            f"{[str(e) for e in self.errors]}")

    def by_id(self):
        found = {}
        for result in self.results:
            request_id = result.get_response().id
            assert request_id not in found, f"two responses for request {request_id!r}"
            found[request_id] = result
        return found


def _send_good(triton, request_id, seed, batch=1):
    a, b = simple_data(seed=seed, batch=batch)
    triton.async_stream_infer("simple", simple_inputs(a, b), request_id=request_id)
    return a, b


def test_many_requests_on_one_stream(server):
    count = 50
    collector = StreamCollector(count)
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        triton.start_stream(callback=collector)
        sent = {f"s-{i}": _send_good(triton, f"s-{i}", seed=100 + i, batch=1 + i % 3)
                for i in range(count)}
        collector.wait()
        triton.stop_stream()
    finally:
        triton.close()
    assert collector.errors == []
    received = collector.by_id()
    assert set(received) == set(sent)
    for request_id, (a, b) in sent.items():
        np.testing.assert_array_equal(received[request_id].as_numpy("OUTPUT0"), a + b)
        np.testing.assert_array_equal(received[request_id].as_numpy("OUTPUT1"), a - b)
        assert received[request_id].get_response().model_name == "simple"


def test_interleaved_good_and_bad_requests_keep_the_stream_open(server):
    """Every third request is bad in a way that names it (an unknown model
    whose name carries the request number, or a wrong shape on INPUT0);
    each bad one comes back as an error in the callback with the server's
    message, the good ones as results, and the stream goes on."""
    rounds = 12
    expected_errors = {}
    collector = StreamCollector(rounds * 3 + 5)
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        triton.start_stream(callback=collector)
        sent = {}
        for i in range(rounds):
            sent[f"g-{i}-a"] = _send_good(triton, f"g-{i}-a", seed=200 + i)
            if i % 2 == 0:
                model = f"no_such_model_{i}"
                a, b = simple_data(seed=300 + i)
                triton.async_stream_infer(model, simple_inputs(a, b), request_id=f"b-{i}")
                expected_errors[f"b-{i}"] = [model]
            else:
                wrong = np.zeros((1, 8), dtype=np.int32)
                inputs = simple_inputs(wrong, np.zeros((1, 16), dtype=np.int32))
                triton.async_stream_infer("simple", inputs, request_id=f"b-{i}")
                expected_errors[f"b-{i}"] = ["simple", "INPUT0"]
            sent[f"g-{i}-b"] = _send_good(triton, f"g-{i}-b", seed=400 + i, batch=2)
        # After all the errors, the same stream still serves.
        for i in range(5):
            sent[f"after-{i}"] = _send_good(triton, f"after-{i}", seed=500 + i)
        collector.wait()
        triton.stop_stream()
    finally:
        triton.close()

    received = collector.by_id()
    assert set(received) == set(sent), f"missing {set(sent) - set(received)}"
    for request_id, (a, b) in sent.items():
        np.testing.assert_array_equal(received[request_id].as_numpy("OUTPUT0"), a + b)
    assert len(collector.errors) == len(expected_errors), [str(e) for e in collector.errors]
    messages = [error.message() for error in collector.errors]
    for request_id, words in expected_errors.items():
        matching = [m for m in messages if all(word in m for word in words)]
        assert matching, f"no stream error names {words} (request {request_id}): {messages}"
    unknown_model_messages = [m for m in messages if "no_such_model_" in m]
    assert len(unknown_model_messages) == rounds // 2


def test_stream_error_response_carries_the_request_id(server):
    """The raw stream: a failed request's ModelStreamInferResponse has the
    error message and, like tritonserver, the failed request's id, so a
    client can tell which request failed."""
    good = grpc_raw.simple_request(request_id="good-1")
    bad = grpc_raw.simple_request(request_id="bad-1")
    bad.model_name = "no_such_model"
    with grpc_raw.stub(server) as service:
        responses = list(service.ModelStreamInfer(iter([good, bad]), timeout=60))
    assert len(responses) == 2
    by_kind = {("error" if r.error_message else "ok"): r for r in responses}
    assert by_kind["ok"].infer_response.id == "good-1"
    assert "no_such_model" in by_kind["error"].error_message
    assert by_kind["error"].infer_response.id == "bad-1"


def test_stream_with_typed_and_large_requests(server):
    a, b = simple_data(seed=600, batch=8)
    typed = grpc_raw.request("simple", [grpc_raw.typed_input("INPUT0", "INT32", a),
                                        grpc_raw.typed_input("INPUT1", "INT32", b)],
                             request_id="typed")
    requests = [typed] + [grpc_raw.simple_request(batch=8, request_id=f"raw-{i}") for i in range(20)]
    with grpc_raw.stub(server) as service:
        responses = list(service.ModelStreamInfer(iter(requests), timeout=60))
    assert [r.error_message for r in responses] == [""] * len(requests)
    by_id = {r.infer_response.id: grpcclient.InferResult(r.infer_response) for r in responses}
    assert set(by_id) == {r.id for r in requests}
    np.testing.assert_array_equal(by_id["typed"].as_numpy("OUTPUT0"), a + b)


def test_empty_stream_ends_cleanly(server):
    with grpc_raw.stub(server) as service:
        responses = list(service.ModelStreamInfer(iter([]), timeout=30))
        assert responses == []
        assert service.ServerLive(service_pb2.ServerLiveRequest(), timeout=10).live


def test_several_streams_at_once(server):
    streams, per_stream = 4, 25
    clients, collectors, sent = [], [], []
    try:
        for s in range(streams):
            triton = grpcclient.InferenceServerClient(url=server.grpc_url)
            collector = StreamCollector(per_stream)
            triton.start_stream(callback=collector)
            clients.append(triton)
            collectors.append(collector)
            sent.append({})
        for i in range(per_stream):
            for s, triton in enumerate(clients):
                request_id = f"{s}-{i}"
                sent[s][request_id] = _send_good(triton, request_id, seed=s * 1000 + i)
        for s, triton in enumerate(clients):
            collectors[s].wait()
            triton.stop_stream()
    finally:
        for triton in clients:
            triton.close()
    for s in range(streams):
        assert collectors[s].errors == []
        received = collectors[s].by_id()
        assert set(received) == set(sent[s]), f"stream {s} got another stream's responses"
        for request_id, (a, b) in sent[s].items():
            np.testing.assert_array_equal(received[request_id].as_numpy("OUTPUT1"), a - b)


def test_stop_stream_waits_for_pending_responses(server):
    count = 20
    collector = StreamCollector(count)
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        triton.start_stream(callback=collector)
        for i in range(count):
            _send_good(triton, f"p-{i}", seed=700 + i, batch=4)
        # stop_stream() half-closes and joins: every response must have been
        # delivered by the time it returns.
        triton.stop_stream()
        assert len(collector.results) == count, (len(collector.results), collector.errors)
        # A new stream on the same client works after the old one ended.
        again = StreamCollector(1)
        triton.start_stream(callback=again)
        _send_good(triton, "again", seed=800)
        again.wait(30)
        triton.stop_stream()
        assert [r.get_response().id for r in again.results] == ["again"]
    finally:
        triton.close()
