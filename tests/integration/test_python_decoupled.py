"""Decoupled Python models and per-request answers, with the stock clients:
a model that sends zero, one or many responses over a gRPC stream (from
execute or from its own thread after execute returned), an error response in
the middle of a stream, the final flag on the last response or on an empty
one, the unary APIs refusing decoupled models in Triton's words, an ensemble
that names one as a step (UNAVAILABLE with the reason), BLS calls
to a decoupled model (exec and async_exec with decoupled=True), a batch
whose requests fail one by one, gathered async_exec calls that overlap, and
a model process that dies mid-stream, and auto_complete_config choosing
batching and the decoupled policy."""

import json
import queue
import time

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from metrics_scrape import scrape
from models import python_decoupled_models as dm
from models import python_models as pm
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def decoupled_server(inferd_binary, tmp_path_factory):
    repo = tmp_path_factory.mktemp("decoupled_repo")
    pm.write_python_model(repo, "repeat", dm.REPEAT, dm.REPEAT_CONFIG)
    pm.write_python_model(repo, "bls_stream", dm.BLS_STREAM, dm.BLS_STREAM_CONFIG)
    pm.write_python_model(repo, "picky", dm.PICKY, dm.PICKY_CONFIG)
    pm.write_python_model(repo, "slow", dm.SLOW, dm.SLOW_CONFIG)
    pm.write_python_model(repo, "gather", dm.GATHER, dm.GATHER_CONFIG)
    pm.write_python_model(repo, "echo_params", dm.ECHO_PARAMS, dm.ECHO_PARAMS_CONFIG)
    pm.write_python_model(repo, "bls_params", dm.BLS_PARAMS, dm.BLS_PARAMS_CONFIG)
    pm.write_python_model(repo, "bls_first", dm.BLS_FIRST, dm.BLS_FIRST_CONFIG)
    # No config.pbtxt at all: the model.py file chooses the backend, as in Triton.
    (pm.write_python_model(repo, "auto_stream", dm.AUTO_STREAM, "") / "config.pbtxt").unlink()
    (repo / "repeat_ensemble").mkdir()
    (repo / "repeat_ensemble" / "config.pbtxt").write_text(dm.REPEAT_ENSEMBLE_CONFIG)
    server = InferdServer([repo], tmp_path_factory.mktemp("decoupled_server") / "inferd.log", binary=inferd_binary)
    try:
        start_or_fail(server)
        yield server
    finally:
        server.stop()


@pytest.fixture
def stream(decoupled_server):
    """A gRPC client with an open stream; yields (client, queue of (result, error))."""
    answers = queue.Queue()
    client = grpcclient.InferenceServerClient(url=decoupled_server.grpc_url)
    client.start_stream(callback=lambda result, error: answers.put((result, error)))
    try:
        yield client, answers
    finally:
        client.stop_stream()
        client.close()


def repeat_inputs(values):
    tensor = grpcclient.InferInput("IN", [len(values)], "INT32")
    tensor.set_data_from_numpy(np.array(values, dtype=np.int32))
    return [tensor]


def send_repeat(client, values, request_id="r", **parameters):
    client.async_stream_infer("repeat", repeat_inputs(values), request_id=request_id,
                              enable_empty_final_response=True, parameters=parameters or None)


def collect_until_final(answers, timeout=60):
    """Every (result, error) of one request, up to the one marked final."""
    collected = []
    deadline = time.monotonic() + timeout
    while True:
        result, error = answers.get(timeout=max(deadline - time.monotonic(), 0.1))
        collected.append((result, error))
        if result is not None and result.get_response().parameters["triton_final_response"].bool_param:
            return collected
        if error is not None and len(collected) > 100:
            raise AssertionError(f"no final response: {collected}")


def outputs(collected):
    """(OUT, IDX) of each non-empty response that carried data."""
    found = []
    for result, error in collected:
        if result is not None and result.get_response().outputs:
            found.append((int(result.as_numpy("OUT")[0]), int(result.as_numpy("IDX")[0])))
    return found


@pytest.mark.parametrize("in_thread", [False, True])
def test_a_decoupled_model_streams_one_response_per_element(stream, in_thread):
    client, answers = stream
    send_repeat(client, [7, 8, 9], request_id="three", in_thread=in_thread)
    collected = collect_until_final(answers)
    assert [error for _, error in collected] == [None] * 4
    assert outputs(collected) == [(7, 0), (8, 1), (9, 2)]
    # The final flag came on its own, empty response.
    final = collected[-1][0].get_response()
    assert not final.outputs and final.id == "three"
    assert all(result.get_response().id == "three" for result, _ in collected)
    assert all(not r.get_response().parameters["triton_final_response"].bool_param for r, _ in collected[:-1])


def test_zero_responses_is_only_the_empty_final(stream):
    client, answers = stream
    send_repeat(client, [], request_id="none")
    collected = collect_until_final(answers)
    assert len(collected) == 1 and collected[0][1] is None
    assert not collected[0][0].get_response().outputs


def test_the_final_flag_can_ride_on_the_last_response(stream):
    client, answers = stream
    send_repeat(client, [4, 5], final_with_last=True)
    collected = collect_until_final(answers)
    assert outputs(collected) == [(4, 0), (5, 1)]
    assert len(collected) == 2  # no separate empty final


def test_without_empty_finals_the_client_sees_only_data(stream):
    client, answers = stream
    client.async_stream_infer("repeat", repeat_inputs([1, 2]), request_id="plain")
    first, second = answers.get(timeout=60), answers.get(timeout=60)
    assert outputs([first, second]) == [(1, 0), (2, 1)]
    # The empty final is not written when the client did not ask for it:
    # the next request's answers come straight after.
    send_repeat(client, [3], request_id="next", final_with_last=True)
    assert outputs(collect_until_final(answers)) == [(3, 0)]


def test_an_error_response_mid_stream_does_not_end_it(stream):
    client, answers = stream
    send_repeat(client, [1, 2, 3], error_at=1)
    collected = collect_until_final(answers)
    errors = [error for _, error in collected if error is not None]
    assert len(errors) == 1 and "no answer for element 1" in str(errors[0]), collected
    assert outputs(collected) == [(1, 0), (3, 2)]


def test_every_stream_response_says_whether_it_is_the_final_one(decoupled_server):
    # As the raw protocol shows it (the stock client hides an error
    # response's parameters): id and triton_final_response on errors too.
    message = grpc_raw.request("repeat", [grpc_raw.typed_input("IN", "INT32", np.array([1, 2, 3], np.int32))],
                               request_id="raw")
    message.parameters["triton_enable_empty_final_response"].bool_param = True
    message.parameters["error_at"].int64_param = 1
    with grpc_raw.stub(decoupled_server) as stub:
        answers = list(stub.ModelStreamInfer(iter([message]), timeout=60))
    assert [bool(a.error_message) for a in answers] == [False, True, False, False]
    assert [a.infer_response.parameters["triton_final_response"].bool_param for a in answers] == [
        False, False, False, True]
    assert all(a.infer_response.id == "raw" and a.infer_response.model_name == "repeat" for a in answers)
    assert "no answer for element 1" in answers[1].error_message


def test_a_sender_dropped_without_the_final_flag_fails_its_request(stream):
    client, answers = stream
    send_repeat(client, [1, 2], request_id="forgotten", forget=True)
    result, error = answers.get(timeout=60)
    assert result is None and "without sending TRITONSERVER_RESPONSE_COMPLETE_FINAL" in str(error), (result, error)
    # The stream and the model go on.
    send_repeat(client, [6], request_id="next", final_with_last=True)
    assert outputs(collect_until_final(answers)) == [(6, 0)]


def pending(server, model):
    return scrape(server).value("nv_inference_pending_request_count", model=model, version="1")


def test_a_request_streaming_after_execute_returned_stays_pending_until_its_final_response(stream,
                                                                                      decoupled_server):
    client, answers = stream
    # From the model's own thread, 1 s between responses: execute() returns at once.
    send_repeat(client, [1, 2], request_id="late", in_thread=True, delay=1.0)
    first, error = answers.get(timeout=60)
    assert error is None and int(first.as_numpy("OUT")[0]) == 1
    assert pending(decoupled_server, "repeat") == 1
    collect_until_final(answers)
    deadline = time.monotonic() + 10
    while pending(decoupled_server, "repeat") != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pending(decoupled_server, "repeat") == 0


def test_many_requests_interleave_on_one_stream(stream):
    client, answers = stream
    for index in range(5):
        send_repeat(client, [index] * 3, request_id=f"req{index}", in_thread=True)
    finals, seen = set(), {f"req{index}": [] for index in range(5)}
    deadline = time.monotonic() + 60
    while len(finals) < 5:
        result, error = answers.get(timeout=max(deadline - time.monotonic(), 0.1))
        assert error is None, error
        response = result.get_response()
        if response.parameters["triton_final_response"].bool_param:
            finals.add(response.id)
        elif response.outputs:
            seen[response.id].append(int(result.as_numpy("IDX")[0]))
    assert all(sorted(indices) == [0, 1, 2] for indices in seen.values()), seen


def test_the_unary_apis_refuse_a_decoupled_model(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url)
    tensor = httpclient.InferInput("IN", [1], "INT32")
    tensor.set_data_from_numpy(np.array([1], dtype=np.int32))
    with pytest.raises(InferenceServerException) as raised:
        http.infer("repeat", [tensor])
    assert "doesn't support models with decoupled transaction policy" in str(raised.value)
    assert raised.value.status() == "400"
    grpc = grpcclient.InferenceServerClient(url=decoupled_server.grpc_url)
    with pytest.raises(InferenceServerException) as raised:
        grpc.infer("repeat", repeat_inputs([1]))
    assert "ModelInfer RPC doesn't support models with decoupled transaction policy" in str(raised.value)
    assert raised.value.status() == "StatusCode.UNIMPLEMENTED"
    assert grpc.get_model_config("repeat").config.model_transaction_policy.decoupled


def test_auto_complete_config_sets_batching_and_the_decoupled_policy(stream, decoupled_server):
    grpc = grpcclient.InferenceServerClient(url=decoupled_server.grpc_url)
    config = grpc.get_model_config("auto_stream").config
    assert config.max_batch_size == 8
    assert config.HasField("dynamic_batching")
    assert config.model_transaction_policy.decoupled
    assert [tensor.name for tensor in config.input] == ["IN"] and list(config.input[0].dims) == [1]
    client, answers = stream
    tensor = grpcclient.InferInput("IN", [1, 1], "INT32")
    tensor.set_data_from_numpy(np.array([[14]], dtype=np.int32))
    client.async_stream_infer("auto_stream", [tensor], request_id="auto")
    result, error = answers.get(timeout=60)
    assert error is None, error
    assert result.as_numpy("OUT").tolist() == [[42]]


def test_an_ensemble_with_a_decoupled_step_is_unavailable_with_the_reason(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url)
    rows = {row["name"]: row for row in http.get_model_repository_index()}
    assert rows["repeat_ensemble"]["state"] == "UNAVAILABLE"
    assert "step 1 (model 'repeat') is decoupled" in rows["repeat_ensemble"]["reason"], rows["repeat_ensemble"]
    assert rows["repeat"]["state"] == "READY"


@pytest.mark.parametrize("use_async", [False, True])
def test_bls_reads_a_decoupled_models_stream(decoupled_server, use_async):
    http = httpclient.InferenceServerClient(url=decoupled_server.url)
    tensor = httpclient.InferInput("IN", [4], "INT32")
    tensor.set_data_from_numpy(np.array([1, 2, 3, 4], dtype=np.int32))
    result = http.infer("bls_stream", [tensor], parameters={"async": use_async})
    assert int(result.as_numpy("SUM")[0]) == 10
    # Four data responses and the empty one that carried the final flag.
    assert int(result.as_numpy("COUNT")[0]) == 5
    assert int(result.as_numpy("EMPTY")[0]) == 1


def test_bls_yields_each_streamed_response_as_it_arrives(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url, network_timeout=60)
    tensor = httpclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.zeros(1, dtype=np.float32))
    first, last = http.infer("bls_first", [tensor]).as_numpy("ARRIVALS").tolist()
    # Three responses 0.3 s apart: the first came well before the stream ended.
    assert last >= 0.55 and first < last - 0.4, (first, last)


def test_a_bls_request_carries_its_parameters(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url)
    tensor = httpclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.zeros(1, dtype=np.float32))
    carried = json.loads(http.infer("bls_params", [tensor]).as_numpy("PARAMS")[0])
    assert carried == {"flag": True, "count": 3, "ratio": 0.5, "word": "stop"}


def test_each_request_of_a_batch_succeeds_or_fails_on_its_own(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url, concurrency=4)
    pending = []
    for index, sign in enumerate([1, -1, 1, 1]):
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(np.full((1, 4), sign * (index + 1), dtype=np.float32))
        pending.append(http.async_infer("picky", [tensor], request_id=f"p{index}"))
    results, errors = [], []
    for index, call in enumerate(pending):
        try:
            results.append((index, call.get_result()))
        except InferenceServerException as error:
            errors.append((index, error))
    assert [index for index, _ in errors] == [1]
    assert "negative input in p1" in str(errors[0][1])
    for index, result in results:
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), np.full((1, 4), 2 * (index + 1), np.float32))
    # They were batched together: the model saw more than one request at once.
    assert max(int(result.as_numpy("REQUESTS")[0, 0]) for _, result in results) > 1


def test_gathered_async_exec_calls_overlap(decoupled_server):
    http = httpclient.InferenceServerClient(url=decoupled_server.url, network_timeout=60)
    tensor = httpclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.zeros(1, dtype=np.float32))
    http.infer("gather", [tensor])  # warm both instances of `slow`
    start = time.monotonic()
    result = http.infer("gather", [tensor])
    wall = time.monotonic() - start
    np.testing.assert_array_equal(result.as_numpy("VALUES"), np.array([0.0, 1.0], np.float32))
    # Each call sleeps 0.6 s; one after the other would take 1.2 s or more.
    assert wall < 1.1, wall


def test_a_process_that_dies_mid_stream_fails_the_request_and_recovers(stream):
    client, answers = stream
    send_repeat(client, [1, 2, 3], request_id="doomed", exit_at=2)
    collected = []
    deadline = time.monotonic() + 60
    while not any(error is not None for _, error in collected):
        collected.append(answers.get(timeout=max(deadline - time.monotonic(), 0.1)))
    assert outputs(collected) == [(1, 0), (2, 1)]
    error = next(error for _, error in collected if error is not None)
    assert "repeat" in str(error), error
    # The model process is restarted: the next request on the same stream works.
    send_repeat(client, [5], request_id="after", final_with_last=True)
    deadline = time.monotonic() + 60
    while True:
        result, error = answers.get(timeout=max(deadline - time.monotonic(), 0.1))
        if result is not None and result.get_response().id == "after":
            assert outputs([(result, error)]) == [(5, 0)]
            break
