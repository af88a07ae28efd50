"""The Python backend with the stock clients: Triton's simple_identity,
auto_complete_config, initialize args, errors and exceptions, a model
process that crashes or hangs (its request fails clearly, the next one
succeeds), two instances in parallel, finalize on unload, and a leaking
model that does not grow the server."""

import json
import os
import threading
import time

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from models import control_models as cm
from models import python_models as pm
from server_process import binary_is_sanitized, resident_mib, wait_for

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def python_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("python_repo")
    pm.write_python_model(repo, "simple_identity", pm.SIMPLE_IDENTITY, pm.SIMPLE_IDENTITY_CONFIG)
    pm.write_python_model(repo, "add_sub", pm.ADD_SUB, 'backend: "python"\n')
    pm.write_python_model(repo, "probe", pm.PROBE, pm.probe_config(
        "probe", 'parameters { key: "execute_timeout_seconds" value: { string_value: "2" } }\n'))
    pm.write_python_model(repo, "probe_pair", pm.PROBE, pm.probe_config(
        "probe_pair", "instance_group [ { count: 2 kind: KIND_CPU } ]\n"))
    pm.write_python_model(repo, "bls", pm.BLS, pm.BLS_CONFIG)
    pm.write_python_model(repo, "batched", pm.BATCHED, pm.BATCHED_CONFIG)
    cm.write_versioned(repo, "plus_onnx", [3])
    cm.write_pipeline(repo)
    pm.write_python_model(repo, "conda", pm.PROBE, pm.probe_config(
        "conda", 'parameters { key: "EXECUTION_ENV_PATH" value: { string_value: "$$TRITON_MODEL_DIRECTORY/env.tar.gz" } }\n'))
    pm.write_python_model(repo, "request_view", pm.REQUEST_VIEW, pm.REQUEST_VIEW_CONFIG)
    pm.write_python_model(repo, "bls_view", pm.BLS_VIEW, pm.REQUEST_VIEW_CONFIG.replace("request_view", "bls_view"))
    pm.write_python_model(repo, "bad_timeout", pm.PROBE, pm.probe_config(
        "bad_timeout", 'parameters { key: "execute_timeout_seconds" value: { string_value: "soon" } }\n'))
    return repo


@pytest.fixture(scope="module")
def python_server(inferd_binary, python_repo, tmp_path_factory):
    from server_process import InferdServer, start_or_fail
    server = InferdServer([python_repo], tmp_path_factory.mktemp("python_server") / "inferd.log",
                          binary=inferd_binary)
    try:
        start_or_fail(server)
        yield server
    finally:
        server.stop()


def probe(client, model, command):
    tensor = httpclient.InferInput("COMMAND", [1], "FP32")
    tensor.set_data_from_numpy(np.array([command], dtype=np.float32))
    result = client.infer(model, [tensor])
    return json.loads(result.as_numpy("ARGS")[0]), int(result.as_numpy("PID")[0])


def test_simple_identity_over_http_and_grpc(python_server):
    words = np.array([[b"stop", b"\x00binary\xff", "caf\u00e9".encode()]], dtype=np.object_)
    http = httpclient.InferenceServerClient(url=python_server.url)
    for binary in (True, False):
        # JSON carries text only: the binary element goes with binary_data.
        expected = words if binary else words[:, [0, 2]]
        tensor = httpclient.InferInput("INPUT0", list(expected.shape), "BYTES")
        tensor.set_data_from_numpy(expected, binary_data=binary)
        np.testing.assert_array_equal(http.infer("simple_identity", [tensor]).as_numpy("OUTPUT0"), expected)
    grpc = grpcclient.InferenceServerClient(url=python_server.grpc_url)
    tensor = grpcclient.InferInput("INPUT0", [1, 3], "BYTES")
    tensor.set_data_from_numpy(words)
    np.testing.assert_array_equal(grpc.infer("simple_identity", [tensor]).as_numpy("OUTPUT0"), words)


def test_auto_complete_config_fills_the_config(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    config = client.get_model_config("add_sub")
    assert [t["name"] for t in config["input"]] == ["INPUT0", "INPUT1"]
    assert [t["dims"] for t in config["output"]] == [[4], [4]]
    a, b = np.arange(4, dtype=np.float32), np.full(4, 0.5, dtype=np.float32)
    inputs = [httpclient.InferInput("INPUT0", [4], "FP32"), httpclient.InferInput("INPUT1", [4], "FP32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    result = client.infer("add_sub", inputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - b)


def test_initialize_gets_tritons_args(python_server, python_repo):
    args, _ = probe(httpclient.InferenceServerClient(url=python_server.url), "probe", 0)
    assert set(args) == {"model_config", "model_instance_kind", "model_instance_name", "model_instance_device_id",
                         "model_repository", "model_version", "model_name"}
    assert all(isinstance(value, str) for value in args.values())
    assert args["model_name"] == "probe" and args["model_version"] == "1"
    assert args["model_instance_kind"] == "CPU" and args["model_instance_device_id"] == "0"
    assert args["model_repository"] == str(python_repo / "probe")
    config = json.loads(args["model_config"])
    assert config["name"] == "probe" and config["input"][0]["dims"] == [1]  # numbers, as Triton gives them


def test_exceptions_and_errors_fail_only_their_request(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    with pytest.raises(InferenceServerException) as raised:
        probe(client, "probe", 1)
    assert "ValueError: the probe was asked to fail" in raised.value.message()
    assert "probe" in raised.value.message()
    with pytest.raises(InferenceServerException) as returned:
        probe(client, "probe", 2)
    assert "the probe returns an error" in returned.value.message()
    assert probe(client, "probe", 0)[0]["model_name"] == "probe"


def test_a_killed_process_fails_its_request_and_the_next_one_succeeds(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    _, first_pid = probe(client, "probe", 0)
    with pytest.raises(InferenceServerException) as killed:
        probe(client, "probe", 3)
    assert "killed by signal 9" in killed.value.message(), killed.value.message()
    _, second_pid = probe(client, "probe", 0)
    assert second_pid != first_pid
    assert not os.path.exists(f"/proc/{first_pid}"), "the dead process was reaped"


def test_a_hung_process_times_out_and_is_replaced(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url, network_timeout=60)
    _, before = probe(client, "probe", 0)
    started = time.monotonic()
    with pytest.raises(InferenceServerException) as hung:
        probe(client, "probe", 4)
    assert time.monotonic() - started < 30
    assert "did not answer within 2000 ms" in hung.value.message()
    _, after = probe(client, "probe", 0)
    assert after != before


def test_two_instances_run_in_parallel(python_server):
    probe(httpclient.InferenceServerClient(url=python_server.url), "probe_pair", 0)
    pids, errors = set(), []

    def slow_request():
        try:  # a tritonclient.http client belongs to the thread that made it (gevent)
            pids.add(probe(httpclient.InferenceServerClient(url=python_server.url), "probe_pair", 5)[1])
        except Exception as error:  # reported below, not lost in the thread
            errors.append(repr(error))

    started = time.monotonic()
    threads = [threading.Thread(target=slow_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert not errors, errors
    assert len(pids) == 2, "two processes, one per instance"
    assert elapsed < 1.8, f"two 1 s requests took {elapsed:.2f} s: the instances did not run in parallel"


def test_execution_env_path_is_refused_with_a_reason(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    row = next(r for r in client.get_model_repository_index() if r["name"] == "conda")
    assert row["state"] == "UNAVAILABLE" and "EXECUTION_ENV_PATH" in row["reason"]


def test_a_request_shows_its_sequence_as_correlation_id_and_flags_and_the_rest_as_parameters(python_server):
    http = httpclient.InferenceServerClient(url=python_server.url)
    tensor = httpclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.array([1], dtype=np.float32))
    result = http.infer("request_view", [tensor], sequence_id=42, sequence_start=True, priority=1,
                        parameters={"tag": "blue"})
    view = json.loads(result.as_numpy("VIEW")[0])
    # As Triton: what the server takes for the request itself is not a parameter.
    assert view == {"parameters": {"tag": "blue"}, "correlation_id": 42, "flags": 1}, view
    grpc = grpcclient.InferenceServerClient(url=python_server.grpc_url)
    tensor = grpcclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.array([1], dtype=np.float32))
    result = grpc.infer("request_view", [tensor], sequence_id="session-7", sequence_end=True)
    view = json.loads(result.as_numpy("VIEW")[0])
    assert view == {"parameters": {}, "correlation_id": "session-7", "flags": 2}, view
    result = grpc.infer("request_view", [tensor])
    assert json.loads(result.as_numpy("VIEW")[0]) == {"parameters": {}, "correlation_id": 0, "flags": 0}
    # Over a stream, the client's triton_enable_empty_final_response steers the stream only.
    answers = []
    grpc.start_stream(callback=lambda result, error: answers.append((result, error)))
    try:
        grpc.async_stream_infer("request_view", [tensor], enable_empty_final_response=True)
        assert wait_for(lambda: answers, timeout=30)
    finally:
        grpc.stop_stream()
    result, error = answers[0]
    assert error is None, error
    assert json.loads(result.as_numpy("VIEW")[0])["parameters"] == {}


def test_a_bls_request_carries_its_correlation_id_and_flags(python_server):
    http = httpclient.InferenceServerClient(url=python_server.url)
    tensor = httpclient.InferInput("ANY", [1], "FP32")
    tensor.set_data_from_numpy(np.array([1], dtype=np.float32))
    view = json.loads(http.infer("bls_view", [tensor]).as_numpy("VIEW")[0])
    assert view == {"parameters": {"k": "v"}, "correlation_id": 5, "flags": 1}, view


def test_an_execute_timeout_that_is_not_a_number_is_refused_with_a_reason(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    row = next(r for r in client.get_model_repository_index() if r["name"] == "bad_timeout")
    assert row["state"] == "UNAVAILABLE"
    assert "execute_timeout_seconds" in row["reason"] and "'soon'" in row["reason"], row["reason"]


def test_a_leaking_model_does_not_grow_the_server(python_server, inferd_binary):
    if binary_is_sanitized(inferd_binary):
        pytest.skip("sanitizer allocators keep freed memory in quarantine")
    client = httpclient.InferenceServerClient(url=python_server.url)
    before = resident_mib(python_server.process.pid)
    for _ in range(6):
        probe(client, "probe", 6)  # the model keeps 50 MB more each time, in its own process
    after = resident_mib(python_server.process.pid)
    assert after - before < 50, f"server RSS grew from {before:.0f} to {after:.0f} MiB"


def test_unload_runs_finalize_and_ends_the_processes(server_factory, tmp_path):
    marker = tmp_path / "finalized.txt"
    repo = tmp_path / "repo"
    pm.write_python_model(repo, "probe", pm.PROBE, pm.probe_config(
        "probe", f'parameters {{ key: "finalize_marker" value: {{ string_value: "{marker}" }} }}\n'))
    server = server_factory.start([repo], ["--model-control-mode=explicit", "--load-model=probe"])
    client = httpclient.InferenceServerClient(url=server.url)
    _, pid = probe(client, "probe", 0)
    client.unload_model("probe")
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}"), timeout=15), "the model process is gone"
    assert marker.read_text() == "finalized"
    client.load_model("probe")
    assert probe(client, "probe", 0)[1] != pid


@pytest.mark.parametrize("use_async", [False, True])
@pytest.mark.parametrize("target, added", [("plus_onnx", 3), ("pipe", 1)])
def test_bls_calls_models_through_the_server(python_server, use_async, target, added):
    """exec()/async_exec() to an ONNX model and to an ensemble; the call is
    counted in the called model's statistics like any request."""
    client = httpclient.InferenceServerClient(url=python_server.url)
    before = client.get_inference_statistics(target)["model_stats"][0]["inference_count"]
    data = np.arange(4, dtype=np.float32).reshape(1, 4)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data)
    result = client.infer("bls", [tensor], parameters={"target": target, "async": use_async})
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), (data + added) * 10)
    after = client.get_inference_statistics(target)["model_stats"][0]["inference_count"]
    assert after == before + 1


def test_a_failed_bls_call_is_the_responses_error(python_server):
    client = httpclient.InferenceServerClient(url=python_server.url)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 4), dtype=np.float32))
    with pytest.raises(InferenceServerException) as failed:
        client.infer("bls", [tensor], parameters={"target": "no_such_model"})
    assert "BLS call failed: Request for unknown model: 'no_such_model' is not found" in failed.value.message()


def test_dynamic_batching_hands_execute_the_requests_one_by_one(python_server):
    """Requests the dynamic batcher gathers arrive as one list, each with its
    own inputs and id, and each gets its own response back."""
    client = httpclient.InferenceServerClient(url=python_server.url, concurrency=4)
    pending = []
    for index in range(4):
        data = np.full((1, 4), index, dtype=np.float32)
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(data)
        pending.append((index, client.async_infer("batched", [tensor], request_id=f"request-{index}")))
    batch_sizes = []
    for index, request in pending:
        result = request.get_result()
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), np.full((1, 4), 2 * index, dtype=np.float32))
        assert result.as_numpy("ID")[0][0] == f"request-{index}".encode()
        batch_sizes.append(int(result.as_numpy("REQUESTS")[0][0]))
    assert max(batch_sizes) > 1, f"no two requests shared an execute() call: {batch_sizes}"
    client.close()
