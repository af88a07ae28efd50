"""One broken model never takes the server down (unlike Triton, which the
report saw refuse to start). The broken repository holds five models broken
in five different ways beside two good ones."""

import numpy as np
import pytest
import tritonclient.http as httpclient

import http_raw
from models.repositories import BROKEN_MODELS, GOOD_MODELS_BESIDE_BROKEN
from server_process import InferdServer, ServerStartError

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def broken_server(inferd_binary, broken_repo, tmp_path_factory):
    """Default flags: --exit-on-error=false, --strict-readiness=true."""
    log_path = tmp_path_factory.mktemp("broken_server") / "inferd.log"
    inferd = InferdServer([broken_repo], log_path, binary=inferd_binary)
    try:
        inferd.start()
    except ServerStartError as error:
        pytest.fail(f"server with broken models beside good ones did not start: {error}")
    yield inferd
    inferd.stop()


@pytest.fixture
def broken_client(broken_server):
    triton = httpclient.InferenceServerClient(url=broken_server.url)
    yield triton
    triton.close()


def assert_good_models_serve(triton):
    data = np.arange(8, dtype=np.float32).reshape(2, 4)
    inputs = []
    for name in ("INPUT0", "INPUT1"):
        tensor = httpclient.InferInput(name, [2, 4], "FP32")
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    result = triton.infer("add_sub_fp32", inputs)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data + data)
    ints = np.array([[7, -7, 0, 2**31 - 1]], dtype=np.int32)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "INT32")
    tensor.set_data_from_numpy(ints)
    np.testing.assert_array_equal(triton.infer("identity_int32", [tensor]).as_numpy("OUTPUT0"), ints)


def test_server_is_live_despite_broken_models(broken_client, broken_server):
    assert broken_server.is_running()
    assert broken_client.is_server_live()


def test_not_ready_under_default_strict_readiness(broken_client, broken_server):
    assert not broken_client.is_server_ready()
    assert http_raw.request(broken_server, "GET", "/v2/health/ready").status != 200


def test_good_models_beside_broken_ones_serve(broken_client):
    for model in GOOD_MODELS_BESIDE_BROKEN:
        assert broken_client.is_model_ready(model), model
    assert_good_models_serve(broken_client)


def test_index_lists_broken_models_unavailable_with_reason(broken_client):
    index = broken_client.get_model_repository_index()
    for model, cause_words in BROKEN_MODELS.items():
        entries = [e for e in index if e["name"] == model]
        assert entries, f"{model} missing from the repository index: {index}"
        for entry in entries:
            assert entry["state"] == "UNAVAILABLE", entry
            reason = entry.get("reason", "")
            assert any(word.lower() in reason.lower() for word in cause_words), (
                f"{model}: reason {reason!r} names none of {cause_words}")
    for model in GOOD_MODELS_BESIDE_BROKEN:
        entries = [e for e in index if e["name"] == model]
        assert [e["state"] for e in entries] == ["READY"], entries


@pytest.mark.parametrize("model", sorted(BROKEN_MODELS))
def test_broken_model_is_not_ready_and_refuses_inference(broken_client, broken_server, model):
    assert not broken_client.is_model_ready(model)
    response = http_raw.post_json(broken_server, http_raw.infer_path(model), {"inputs": [
        http_raw.json_input("INPUT0", "FP32", [1, 4], [1, 2, 3, 4])]})
    # 4xx, or 503 "unavailable": the model exists but could not be loaded.
    assert 400 <= response.status < 500 or response.status == 503, response.body
    assert model in response.error_text()
    assert_good_models_serve(broken_client)


def test_log_names_every_broken_model(broken_server):
    log = broken_server.log_text()
    for model in BROKEN_MODELS:
        assert model in log, f"{model} is not mentioned in the server log"


@pytest.mark.timeout(90)
def test_ready_with_strict_readiness_false(server_factory, broken_repo):
    inferd = server_factory.start([broken_repo], ["--strict-readiness=false"])
    triton = httpclient.InferenceServerClient(url=inferd.url)
    try:
        assert triton.is_server_ready()
        assert_good_models_serve(triton)
        assert not triton.is_model_ready("broken_corrupt_file")
    finally:
        triton.close()


@pytest.mark.timeout(90)
def test_explicit_exit_on_error_false_still_starts(server_factory, broken_repo):
    inferd = server_factory.start([broken_repo], ["--exit-on-error=false"])
    assert inferd.is_running()
    assert http_raw.request(inferd, "GET", "/v2/health/live").status == 200


@pytest.mark.timeout(90)
def test_exit_on_error_true_exits_nonzero_with_reason(server_factory, broken_repo):
    inferd = server_factory.create([broken_repo], ["--exit-on-error=true"])
    inferd.launch()
    exit_code = inferd.wait_exit(timeout=60)
    log = inferd.log_text()
    assert exit_code is not None, f"inferd kept running with --exit-on-error=true\n{log}"
    assert exit_code != 0, f"inferd exited 0 with broken models and --exit-on-error=true\n{log}"
    named = [model for model in BROKEN_MODELS if model in log]
    assert named, f"the log names no broken model:\n{log}"
    assert any(any(word.lower() in log.lower() for word in BROKEN_MODELS[model]) for model in named), (
        f"the log gives no reason for {named}:\n{log}")
