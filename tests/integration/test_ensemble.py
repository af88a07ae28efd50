"""Ensembles (platform "ensemble") through the stock tritonclient, HTTP and gRPC.

One server serves the repository of models/ensemble_models.py: composing
models, valid ensembles and ensembles broken in one way each. The tests prove
that broken ensembles are UNAVAILABLE with a reason while everything else
serves; that a diamond-shaped graph computes the right values and runs its two
branches at the same time; that a failing step fails the request once, naming
the step; and that a dynamically batched composing model merges the steps of
concurrent ensemble requests. No test asserts a speed threshold: concurrency
is proven from the server's own statistics (see the branch test).
"""

import threading

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from models.ensemble_models import (COMPOSING_MODELS, ENSEMBLES, GATHER_TABLE, INVALID_ENSEMBLES,
                                    write_ensemble_repository)
from server_process import InferdServer, start_or_fail

# square_cost_model costs about width³ per execution: at this width a slow
# branch takes tens of milliseconds or more, far above the ensemble's own
# overhead, so the overlap of the two branches is unmistakable.
SLOW_WIDTH = 1000
FAST_WIDTH = 4


@pytest.fixture(scope="module")
def ensemble_server(inferd_binary, tmp_path_factory):
    repo = write_ensemble_repository(tmp_path_factory.mktemp("ensemble_repo"))
    log_dir = tmp_path_factory.mktemp("ensemble_server")
    server = start_or_fail(InferdServer([repo], log_dir / "inferd.log", binary=inferd_binary))
    yield server
    server.stop()


def http_client(server):
    return httpclient.InferenceServerClient(url=server.url, connection_timeout=120, network_timeout=120)


@pytest.fixture
def client(ensemble_server):
    triton = http_client(ensemble_server)
    yield triton
    triton.close()


@pytest.fixture
def grpc_client(ensemble_server):
    if not ensemble_server.serves_grpc():
        pytest.fail(f"{ensemble_server.binary} has no gRPC service")
    triton = grpcclient.InferenceServerClient(url=ensemble_server.grpc_url)
    yield triton
    triton.close()


def fp32_input(module, name, data):
    tensor = module.InferInput(name, list(data.shape), "FP32")
    tensor.set_data_from_numpy(data)
    return tensor


def branch_inputs(module, rows, width, seed):
    """Integer-valued A, B so 2A and 2B come back exact through the FP32 graph."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-100, 100, size=(rows, width)).astype(np.float32)
    b = rng.integers(-100, 100, size=(rows, width)).astype(np.float32)
    return [fp32_input(module, "A", a), fp32_input(module, "B", b)], a, b


def stats_of(triton, model):
    stats = triton.get_inference_statistics(model)["model_stats"]
    assert len(stats) == 1, stats
    entry = stats[0]
    inference = entry["inference_stats"]
    return {
        "success": int(inference["success"]["count"]),
        "success_ns": int(inference["success"]["ns"]),
        "fail": int(inference["fail"]["count"]),
        "compute_infer_ns": int(inference["compute_infer"]["ns"]),
        "inference_count": int(entry.get("inference_count", 0)),
        "execution_count": int(entry.get("execution_count", 0)),
    }


def delta(after, before):
    return {key: after[key] - before[key] for key in after}


# --- loading, index, metadata --------------------------------------------------------------


def test_invalid_ensembles_are_unavailable_with_a_reason_and_the_rest_serve(client):
    index = {entry["name"]: entry for entry in client.get_model_repository_index()}
    for name in COMPOSING_MODELS + list(ENSEMBLES):
        assert name in index, f"{name} missing from the index: {sorted(index)}"
        assert index[name]["state"] == "READY", f"{name}: {index[name]}"
        assert client.is_model_ready(name), name
    for name, (_, words) in INVALID_ENSEMBLES.items():
        entry = index.get(name)
        assert entry is not None, f"{name} missing from the index: {sorted(index)}"
        assert entry["state"] == "UNAVAILABLE", f"{name}: {entry}"
        reason = entry.get("reason", "")
        for word in words:
            assert word in reason, f"{name}: reason lacks {word!r}: {reason!r}"
        assert not client.is_model_ready(name), name


def test_inference_on_an_invalid_ensemble_says_why(client):
    inputs = [fp32_input(httpclient, "IN", np.ones((1, 4), np.float32))]
    with pytest.raises(InferenceServerException) as raised:
        client.infer("bad_cycle", inputs)
    assert "cycle" in raised.value.message(), raised.value.message()


def test_ensemble_metadata_and_config_come_from_its_config(client):
    assert client.is_model_ready("ens_branch", "1")
    assert client.is_model_ready("ens_nested", "1")  # served without a version folder
    metadata = client.get_model_metadata("ens_branch")
    assert metadata["platform"] == "ensemble"
    assert metadata["versions"] == ["1"]
    assert [(t["name"], t["datatype"], t["shape"]) for t in metadata["inputs"]] == [
        ("A", "FP32", [-1, -1]), ("B", "FP32", [-1, -1])]
    assert [t["name"] for t in metadata["outputs"]] == ["TWICE_A", "TWICE_B", "SUM"]

    config = client.get_model_config("ens_branch")
    assert config["platform"] == "ensemble"
    steps = config["ensemble_scheduling"]["step"]
    assert [s["model_name"] for s in steps] == ["ens_add_sub", "ens_slow_a", "ens_slow_b", "ens_add_sub"]
    assert steps[0]["input_map"] == {"INPUT0": "A", "INPUT1": "B"}
    assert steps[3]["output_map"] == {"OUTPUT0": "TWICE_A", "OUTPUT1": "TWICE_B"}


# --- running graphs ------------------------------------------------------------------------


def test_branching_ensemble_computes_every_output(client):
    inputs, a, b = branch_inputs(httpclient, 2, FAST_WIDTH, seed=1)
    result = client.infer("ens_branch", inputs)
    np.testing.assert_array_equal(result.as_numpy("TWICE_A"), 2 * a)
    np.testing.assert_array_equal(result.as_numpy("TWICE_B"), 2 * b)
    np.testing.assert_array_equal(result.as_numpy("SUM"), a + b)
    response = result.get_response()
    assert response["model_name"] == "ens_branch"
    assert sorted(o["name"] for o in response["outputs"]) == ["SUM", "TWICE_A", "TWICE_B"]


def test_only_the_requested_outputs_come_back(client):
    inputs, _, b = branch_inputs(httpclient, 1, FAST_WIDTH, seed=2)
    result = client.infer("ens_branch", inputs, outputs=[httpclient.InferRequestedOutput("TWICE_B")])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["TWICE_B"]
    np.testing.assert_array_equal(result.as_numpy("TWICE_B"), 2 * b)
    assert result.as_numpy("TWICE_A") is None


def test_independent_branches_run_at_the_same_time(client):
    """The two slow branches each report their execution time; the
    ensemble reports the whole request's. Run one after the other, the two
    executions would fit inside the request with room to spare; only if they
    overlap can their sum exceed the request's duration."""
    client.infer("ens_branch", branch_inputs(httpclient, 1, SLOW_WIDTH, seed=3)[0])  # warm up
    models = ["ens_branch", "ens_add_sub", "ens_slow_a", "ens_slow_b"]
    before = {m: stats_of(client, m) for m in models}
    inputs, a, b = branch_inputs(httpclient, 1, SLOW_WIDTH, seed=4)
    result = client.infer("ens_branch", inputs)
    np.testing.assert_array_equal(result.as_numpy("TWICE_A"), 2 * a)
    after = {m: stats_of(client, m) for m in models}
    changes = {m: delta(after[m], before[m]) for m in models}

    # Statistics for the ensemble and for each composing model on its own.
    assert changes["ens_branch"]["success"] == 1, changes
    assert changes["ens_add_sub"]["success"] == 2, changes  # split and join
    assert changes["ens_slow_a"]["success"] == 1 and changes["ens_slow_b"]["success"] == 1, changes

    branches_ns = changes["ens_slow_a"]["compute_infer_ns"] + changes["ens_slow_b"]["compute_infer_ns"]
    ensemble_ns = changes["ens_branch"]["success_ns"]
    assert branches_ns > ensemble_ns, (
        f"the branches took {branches_ns / 1e6:.1f} ms together inside a {ensemble_ns / 1e6:.1f} ms "
        f"request: they did not overlap ({changes})")


def test_an_ensemble_of_ensembles(client):
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    result = client.infer("ens_nested", [fp32_input(httpclient, "X", x)])
    np.testing.assert_array_equal(result.as_numpy("DOUBLE"), 2 * x)


# --- failures ------------------------------------------------------------------------------


def int64_input(module, name, data):
    tensor = module.InferInput(name, list(data.shape), "INT64")
    tensor.set_data_from_numpy(data)
    return tensor


def test_a_failing_step_fails_the_request_once_and_names_the_step(client):
    good = np.array([[0, 3, 9]], dtype=np.int64)
    result = client.infer("ens_fail", [int64_input(httpclient, "IDX", good)])
    np.testing.assert_array_equal(result.as_numpy("OUT"), GATHER_TABLE[good])

    models = ["ens_fail", "ens_identity_i64", "ens_gather"]
    before = {m: stats_of(client, m) for m in models}
    bad = np.array([[1, 42]], dtype=np.int64)
    with pytest.raises(InferenceServerException) as raised:
        client.infer("ens_fail", [int64_input(httpclient, "IDX", bad)])
    message = raised.value.message()
    assert message.startswith("ensemble 'ens_fail' step 2 (model 'ens_gather'): "), message
    after = {m: stats_of(client, m) for m in models}
    assert delta(after["ens_fail"], before["ens_fail"])["fail"] == 1
    assert delta(after["ens_gather"], before["ens_gather"])["fail"] == 1
    assert delta(after["ens_identity_i64"], before["ens_identity_i64"])["success"] == 1

    # The server and the ensemble are unharmed.
    result = client.infer("ens_fail", [int64_input(httpclient, "IDX", good)])
    np.testing.assert_array_equal(result.as_numpy("OUT"), GATHER_TABLE[good])


def test_a_shape_the_step_model_refuses_fails_at_that_step(client):
    with pytest.raises(InferenceServerException) as raised:
        client.infer("ens_shape", [fp32_input(httpclient, "IN", np.ones((1, 5), np.float32))])
    assert raised.value.status() == "400", raised.value
    assert "ensemble 'ens_shape' step 1 (model 'ens_fixed4')" in raised.value.message(), raised.value.message()
    ok = np.arange(4, dtype=np.float32).reshape(1, 4)
    result = client.infer("ens_shape", [fp32_input(httpclient, "IN", ok)])
    np.testing.assert_array_equal(result.as_numpy("OUT"), ok)


# --- batching across ensemble requests -----------------------------------------------------


def test_a_dynamically_batched_step_merges_concurrent_ensemble_requests(ensemble_server, client):
    requests = 8
    before_step = stats_of(client, "ens_batched_step")
    before_ensemble = stats_of(client, "ens_batching")
    start = threading.Barrier(requests)
    results, errors = [None] * requests, []

    def run(index):
        triton = http_client(ensemble_server)
        try:
            data = np.full((1, 64), float(index), dtype=np.float32)
            start.wait(timeout=60)
            out = triton.infer("ens_batching", [fp32_input(httpclient, "IN", data)]).as_numpy("OUT")
            results[index] = (data, out)
        except Exception as error:  # reported below with its index
            errors.append((index, error))
        finally:
            triton.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for data, out in results:
        np.testing.assert_array_equal(out, data)  # each request got its own row back

    step = delta(stats_of(client, "ens_batched_step"), before_step)
    ensemble = delta(stats_of(client, "ens_batching"), before_ensemble)
    assert ensemble["success"] == requests and ensemble["inference_count"] == requests, ensemble
    assert step["inference_count"] == requests, step
    assert step["execution_count"] < step["inference_count"], f"no step was batched: {step}"


# --- gRPC ----------------------------------------------------------------------------------


def test_grpc_runs_ensembles_and_reports_failing_steps(grpc_client):
    metadata = grpc_client.get_model_metadata("ens_branch", as_json=True)
    assert metadata["platform"] == "ensemble"
    assert grpc_client.is_model_ready("ens_branch")
    assert not grpc_client.is_model_ready("bad_dtype")

    inputs, a, b = branch_inputs(grpcclient, 2, FAST_WIDTH, seed=5)
    result = grpc_client.infer("ens_branch", inputs,
                               outputs=[grpcclient.InferRequestedOutput("TWICE_A"),
                                        grpcclient.InferRequestedOutput("SUM")])
    np.testing.assert_array_equal(result.as_numpy("TWICE_A"), 2 * a)
    np.testing.assert_array_equal(result.as_numpy("SUM"), a + b)
    assert result.as_numpy("TWICE_B") is None

    bad = np.array([[42]], dtype=np.int64)
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.infer("ens_fail", [int64_input(grpcclient, "IDX", bad)])
    assert "ensemble 'ens_fail' step 2 (model 'ens_gather')" in raised.value.message(), raised.value.message()
