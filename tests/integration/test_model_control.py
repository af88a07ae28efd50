"""Explicit model control with the stock tritonclient: the flows of Triton's
simple_http_model_control.py and simple_grpc_model_control.py replayed step
by step, the repository index through a model's life, ensembles that follow
their composing models, uploads, and the errors in Triton's words."""

import base64

import grpc
import numpy as np
import onnx
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw
from models import control_models as cm

pytestmark = pytest.mark.timeout(120)

EXPLICIT = ["--model-control-mode=explicit"]


def http_client(server):
    return httpclient.InferenceServerClient(url=server.url, network_timeout=60)


def plus_infer(client, model, version=""):
    data = np.arange(4, dtype=np.float32).reshape(1, 4)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data, binary_data=True)
    result = client.infer(model, [tensor], model_version=version)
    return result.as_numpy("OUTPUT0") - data, result.get_response()["model_version"]


def index_rows(client, name):
    return [row for row in client.get_model_repository_index() if row["name"] == name]


def test_triton_http_model_control_flow(server_factory, tmp_path):
    """simple_http_model_control.py, step by step."""
    repo = cm.write_triton_example_repository(tmp_path / "repo", 7)
    server = server_factory.start([repo], EXPLICIT)
    client = http_client(server)
    assert len(client.get_model_repository_index()) == 7
    client.load_model("simple")
    assert client.is_model_ready("simple")
    with pytest.raises(InferenceServerException) as bad_config:
        client.load_model("simple", config='"parameters": {"config": {{"max_batch_size": "16"}}}')
    assert "failed to load" in bad_config.value.message()
    assert client.is_model_ready("simple"), "a failed load must leave the loaded model serving"
    client.load_model("simple", config='{"max_batch_size":"16"}')
    assert client.get_model_config("simple")["max_batch_size"] == 16
    client.unload_model("simple")
    assert not client.is_model_ready("simple")
    with pytest.raises(InferenceServerException) as unknown:
        client.load_model("wrong_model_name")
    assert "failed to load" in unknown.value.message()
    assert "failed to poll from model repository" in unknown.value.message()
    assert client.is_server_live()


def test_triton_grpc_model_control_flow(server_factory, tmp_path):
    """simple_grpc_model_control.py, step by step."""
    repo = cm.write_triton_example_repository(tmp_path / "repo", 8)
    server = server_factory.start([repo], EXPLICIT)
    client = grpcclient.InferenceServerClient(url=server.grpc_url)
    assert len(client.get_model_repository_index().models) == 8
    client.load_model("simple")
    assert client.is_model_ready("simple")
    with pytest.raises(InferenceServerException) as bad_config:
        client.load_model("simple", config='"parameters": {"config": {{"max_batch_size": "16"}}}')
    assert "failed to load" in bad_config.value.message()
    client.load_model("simple", config='{"max_batch_size":"16"}')
    assert client.get_model_config("simple").config.max_batch_size == 16
    # A file name longer than a file system allows: Triton's INTERNAL.
    with pytest.raises(InferenceServerException) as long_name:
        client.load_model("simple", config="{}", files={"file:" + "A" * 256: b"a"})
    assert long_name.value.status() == str(grpc.StatusCode.INTERNAL)
    assert "failed to poll from model repository" in long_name.value.message()
    assert client.is_server_live()
    client.unload_model("simple")
    assert not client.is_model_ready("simple")
    with pytest.raises(InferenceServerException) as unknown:
        client.load_model("wrong_model_name")
    assert "failed to load" in unknown.value.message()


def test_index_follows_a_model_through_its_life(server_factory, tmp_path):
    repo = tmp_path / "repo"
    cm.write_versioned(repo, "plus", [1, 2])
    server = server_factory.start([repo], EXPLICIT)
    client = http_client(server)
    # Never loaded: listed by name alone, and the server is ready without it.
    assert index_rows(client, "plus") == [{"name": "plus"}]
    assert client.is_server_ready()
    raw = http_raw.post_json(server, "/v2/repository/index", {"ready": True})
    assert raw.status == 200 and raw.json() == []
    client.load_model("plus")
    assert index_rows(client, "plus") == [{"name": "plus", "version": "2", "state": "READY"}]
    assert plus_infer(client, "plus")[1] == "2"
    client.unload_model("plus")
    rows = index_rows(client, "plus")
    assert len(rows) == 1 and rows[0]["state"] in ("UNLOADING", "UNAVAILABLE")
    assert not client.is_model_ready("plus")
    assert client.is_server_ready(), "a model unloaded on purpose does not make the server unready"
    # A model added to the repository after the start is listed at once.
    cm.write_versioned(repo, "late", [1])
    assert index_rows(client, "late") == [{"name": "late"}]
    client.load_model("late")
    assert plus_infer(client, "late")[1] == "1"


def test_startup_models_and_wildcard(server_factory, tmp_path):
    repo = tmp_path / "repo"
    for name in ("a", "b", "c"):
        cm.write_versioned(repo, name, [1])
    server = server_factory.start([repo], EXPLICIT + ["--load-model=a", "--load-model", "c"])
    client = http_client(server)
    assert [client.is_model_ready(n) for n in ("a", "b", "c")] == [True, False, True]
    everything = server_factory.start([repo], EXPLICIT + ["--load-model=*"])
    client = http_client(everything)
    assert all(client.is_model_ready(n) for n in ("a", "b", "c"))


def test_failed_reload_keeps_the_old_version_serving(server_factory, tmp_path):
    repo = tmp_path / "repo"
    folder = cm.write_versioned(repo, "plus", [1])
    server = server_factory.start([repo], EXPLICIT + ["--load-model=plus"])
    client = http_client(server)
    (folder / "2").mkdir()
    (folder / "2" / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(InferenceServerException) as failed:
        client.load_model("plus")
    assert "load failed for model 'plus'" in failed.value.message()
    assert failed.value.status() == "400"
    delta, version = plus_infer(client, "plus")
    assert version == "1" and np.all(delta == 1)
    rows = {row.get("version"): row for row in index_rows(client, "plus")}
    assert rows["1"]["state"] == "READY" and "keeps serving" in rows["1"]["reason"]
    assert rows["2"]["state"] == "UNAVAILABLE" and rows["2"]["reason"]
    # Fixed: the next load swaps to version 2.
    onnx.save(cm.plus_k(2), str(folder / "2" / "model.onnx"))
    client.load_model("plus")
    delta, version = plus_infer(client, "plus")
    assert version == "2" and np.all(delta == 2)


def test_ensemble_follows_its_composing_model(server_factory, tmp_path):
    repo = cm.write_pipeline(tmp_path / "repo")
    server = server_factory.start([repo], EXPLICIT)
    client = http_client(server)
    client.load_model("pipe")  # loads pipe_step too (Triton's explicit mode does)
    assert client.is_model_ready("pipe_step")
    assert np.all(plus_infer(client, "pipe")[0] == 1)
    client.unload_model("pipe_step")
    assert not client.is_model_ready("pipe")
    rows = index_rows(client, "pipe")
    assert rows and rows[0]["state"] in ("UNLOADING", "UNAVAILABLE")
    assert "composing model 'pipe_step' was unloaded" in rows[0].get("reason", "")
    client.load_model("pipe_step")
    assert client.is_model_ready("pipe"), "loading the composing model again brings the ensemble back"
    assert np.all(plus_infer(client, "pipe")[0] == 1)
    # unload_dependents: the ensemble's composing models go with it.
    client.unload_model("pipe", unload_dependents=True)
    assert not client.is_model_ready("pipe")
    assert client.is_model_ready("pipe_step"), "pipe_step was loaded by name, so it stays"
    client.load_model("pipe")
    client.unload_model("pipe_step")
    client.load_model("pipe")
    client.unload_model("pipe", unload_dependents=True)
    assert not client.is_model_ready("pipe_step"), "loaded only for the ensemble: unloaded with it"


def test_upload_needs_the_flag_and_then_serves_the_files(server_factory, tmp_path):
    repo = cm.write_triton_example_repository(tmp_path / "repo", 2)
    model_bytes = cm.plus_k(5).SerializeToString()
    config = '{"backend": "onnxruntime", "max_batch_size": 8}'
    refused = server_factory.start([repo], EXPLICIT)
    client = http_client(refused)
    with pytest.raises(InferenceServerException) as off:
        client.load_model("uploaded", config=config, files={"file:1/model.onnx": model_bytes})
    assert "--allow-model-upload" in off.value.message()
    allowed = server_factory.start([repo], EXPLICIT + ["--allow-model-upload=true"])
    client = http_client(allowed)
    client.load_model("uploaded", config=config, files={"file:1/model.onnx": model_bytes})
    delta, version = plus_infer(client, "uploaded")
    assert version == "1" and np.all(delta == 5)
    with pytest.raises(InferenceServerException) as escape:
        client.load_model("uploaded", config=config, files={"file:../escape.onnx": model_bytes})
    assert "failed to poll from model repository" in escape.value.message()
    assert np.all(plus_infer(client, "uploaded")[0] == 5), "the rejected upload left the loaded one serving"
    with pytest.raises(InferenceServerException) as no_config:
        client.load_model("uploaded2", files={"file:1/model.onnx": model_bytes})
    assert "'config' must be given" in no_config.value.message()


def test_control_errors_are_triton_shaped(server_factory, tmp_path):
    repo = cm.write_triton_example_repository(tmp_path / "repo", 2)
    none_mode = server_factory.start([repo])
    raw = http_raw.post_json(none_mode, "/v2/repository/models/simple/load", {})
    assert raw.status == 503
    assert raw.error_text() == "explicit model load / unload is not allowed if polling is enabled"
    grpc_client = grpcclient.InferenceServerClient(url=none_mode.grpc_url)
    with pytest.raises(InferenceServerException) as refused:
        grpc_client.unload_model("simple")
    assert refused.value.status() == str(grpc.StatusCode.UNAVAILABLE)
    explicit = server_factory.start([repo], EXPLICIT)
    for body, words in (({"parameters": {"colour": "red"}}, "unrecognized load parameter 'colour'"),
                        ({"parameters": {"config": {"max_batch_size": 4}}}, "must be a JSON string"),
                        ({"parameters": {"file:1/model.onnx": "%%%"}}, "not valid base64")):
        raw = http_raw.post_json(explicit, "/v2/repository/models/simple/load", body)
        assert raw.status == 400 and words in raw.error_text(), raw.error_text()
    raw = http_raw.post_json(explicit, "/v2/repository/models/simple/unload",
                             {"parameters": {"unload_dependents": "yes"}})
    assert raw.status == 400
    raw = http_raw.post_json(explicit, "/v2/repository/models/..%2F..%2Fetc/load", {})
    assert raw.status == 400 and "path traversal" in raw.error_text()
    assert http_raw.post_json(explicit, "/v2/repository/models/nothing/unload", {}).status == 200
    metadata = http_client(explicit).get_server_metadata()
    assert "model_repository" in metadata["extensions"]
    assert "model_repository(unload_dependents)" in metadata["extensions"]


def test_load_uses_base64_over_http(server_factory, tmp_path):
    """The HTTP body carries files as base64 text, as tritonclient sends them."""
    repo = cm.write_triton_example_repository(tmp_path / "repo", 2)
    server = server_factory.start([repo], EXPLICIT + ["--allow-model-upload"])
    body = {"parameters": {"config": '{"backend": "onnxruntime", "max_batch_size": 8}',
                           "file:1/model.onnx": base64.b64encode(cm.plus_k(3).SerializeToString()).decode()}}
    raw = http_raw.post_json(server, "/v2/repository/models/raw_upload/load", body)
    assert raw.status == 200, raw.error_text()
    assert np.all(plus_infer(http_client(server), "raw_upload")[0] == 3)


def test_unloading_a_model_takes_down_ensembles_of_ensembles(server_factory, tmp_path):
    repo = cm.write_pipeline(tmp_path / "repo")
    cm.write_ensemble(repo, "pipe_outer", ["pipe"])
    server = server_factory.start([repo], EXPLICIT)
    client = http_client(server)
    client.load_model("pipe_outer")  # loads pipe, which loads pipe_step
    assert np.all(plus_infer(client, "pipe_outer")[0] == 1)
    client.unload_model("pipe_step")
    assert not client.is_model_ready("pipe") and not client.is_model_ready("pipe_outer")
    client.load_model("pipe_step")
    assert client.is_model_ready("pipe_outer"), "loading the composing model brings both ensembles back"


def test_two_ensembles_sharing_models_load_at_once(server_factory, tmp_path):
    """Two loads that meet the same composing models in turn must not wait
    on each other (each reloads the other's ensemble only once it holds no lock)."""
    repo = tmp_path / "repo"
    for name in ("step_a", "step_b"):
        cm.write_versioned(repo, name, [1])
    cm.write_ensemble(repo, "both_1", ["step_a", "step_b"])
    cm.write_ensemble(repo, "both_2", ["step_a", "step_b"])
    server = server_factory.start([repo], EXPLICIT + ["--load-model=both_1", "--load-model=both_2"])
    client = http_client(server)
    for round_ in range(5):
        client.unload_model("step_a")
        client.unload_model("step_b")
        pending = [httpclient.InferenceServerClient(url=server.url, network_timeout=30) for _ in range(2)]
        errors = []

        def load(index):
            try:
                pending[index].load_model(f"both_{index + 1}")
            except Exception as error:  # reported below
                errors.append(repr(error))

        import threading
        threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads), f"round {round_}: the loads wait on each other"
        assert not errors, errors
        assert client.is_model_ready("both_1") and client.is_model_ready("both_2")
        assert np.all(plus_infer(client, "both_1")[0] == 2)
