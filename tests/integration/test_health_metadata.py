"""Health, server metadata, model metadata and model config endpoints,
through the stock tritonclient where it has a call for them."""

import pytest

import http_raw

pytestmark = pytest.mark.timeout(60)


def test_server_live_and_ready(client, server):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert http_raw.request(server, "GET", "/v2/health/live").status == 200
    assert http_raw.request(server, "GET", "/v2/health/ready").status == 200


def test_server_metadata(client):
    metadata = client.get_server_metadata()
    assert metadata["name"] == "inferd"  # --id's default
    assert isinstance(metadata["version"], str) and metadata["version"]
    extensions = metadata["extensions"]
    assert isinstance(extensions, list)
    for extension in ["binary_tensor_data", "statistics", "model_configuration", "classification",
                      "schedule_policy", "parameters"]:
        assert extension in extensions, f"extension {extension!r} missing from {extensions}"


def test_server_metadata_raw_get(server):
    response = http_raw.request(server, "GET", "/v2")
    assert response.status == 200
    assert response.headers.get("Content-Type", "").startswith("application/json")
    assert response.json()["name"]


def _io_by_name(entries):
    return {entry["name"]: entry for entry in entries}


@pytest.mark.parametrize("version", ["", "1"])
def test_model_metadata_batched(client, version):
    metadata = client.get_model_metadata("simple", model_version=version)
    assert metadata["name"] == "simple"
    assert metadata["versions"] == ["1"]
    assert metadata["platform"] == "onnxruntime_onnx"
    inputs = _io_by_name(metadata["inputs"])
    outputs = _io_by_name(metadata["outputs"])
    assert set(inputs) == {"INPUT0", "INPUT1"}
    assert set(outputs) == {"OUTPUT0", "OUTPUT1"}
    for entry in list(inputs.values()) + list(outputs.values()):
        assert entry["datatype"] == "INT32"
        # The batch dimension shows as -1 in front of the config's dims.
        assert entry["shape"] == [-1, 16]


def test_model_metadata_unbatched(client):
    metadata = client.get_model_metadata("simple_nobatch")
    for entry in metadata["inputs"] + metadata["outputs"]:
        assert entry["datatype"] == "FP32"
        assert entry["shape"] == [2, 4]


def test_model_metadata_report_models(client):
    detection = client.get_model_metadata("text_detection")
    assert detection["inputs"] == [
        {"name": "input_images:0", "datatype": "FP32", "shape": [-1, -1, -1, 3]}]
    assert _io_by_name(detection["outputs"]) == {
        "feature_fusion/Conv_7/Sigmoid:0": {
            "name": "feature_fusion/Conv_7/Sigmoid:0", "datatype": "FP32", "shape": [-1, -1, -1, 1]},
        "feature_fusion/concat_3:0": {
            "name": "feature_fusion/concat_3:0", "datatype": "FP32", "shape": [-1, -1, -1, 5]},
    }
    recognition = client.get_model_metadata("text_recognition")
    assert recognition["inputs"][0]["name"] == "input.1"
    assert recognition["inputs"][0]["shape"] == [1, 1, 32, 100]
    assert recognition["outputs"][0]["name"] == "308"
    assert recognition["outputs"][0]["shape"] == [1, 26, 37]


def test_model_metadata_bytes_datatype(client):
    metadata = client.get_model_metadata("identity_bytes")
    assert metadata["inputs"][0]["datatype"] == "BYTES"
    assert metadata["outputs"][0]["datatype"] == "BYTES"


def test_model_ready(client, server):
    assert client.is_model_ready("simple")
    assert client.is_model_ready("simple", "1")
    assert not client.is_model_ready("no_such_model")
    assert not client.is_model_ready("simple", "7")
    assert http_raw.request(server, "GET", "/v2/models/simple/ready").status == 200
    assert http_raw.request(server, "GET", "/v2/models/simple/versions/1/ready").status == 200
    # Not ready must be a non-200 answer, not a 200 with a false body.
    assert http_raw.request(server, "GET", "/v2/models/no_such_model/ready").status != 200


def test_model_metadata_unknown_model_is_404(server):
    response = http_raw.request(server, "GET", "/v2/models/no_such_model")
    assert response.status == 404
    assert "no_such_model" in response.error_text()


def test_model_config_batched(client):
    config = client.get_model_config("simple")
    assert config["name"] == "simple"
    assert config["max_batch_size"] == 8
    inputs = _io_by_name(config["input"])
    assert set(inputs) == {"INPUT0", "INPUT1"}
    assert inputs["INPUT0"]["data_type"] == "TYPE_INT32"
    assert inputs["INPUT0"]["dims"] == [16]
    assert _io_by_name(config["output"])["OUTPUT1"]["dims"] == [16]
    assert config["backend"] == "onnxruntime"


def test_model_config_report_models_as_written(client):
    recognition = client.get_model_config("text_recognition")
    assert recognition["name"] == "text_recognition"
    assert recognition.get("max_batch_size", 0) == 0
    assert recognition["input"][0]["name"] == "input.1"
    assert recognition["input"][0]["data_type"] == "TYPE_FP32"
    assert recognition["input"][0]["dims"] == [1, 1, 32, 100]
    assert recognition["output"][0]["name"] == "308"
    assert recognition["output"][0]["dims"] == [1, 26, 37]
    detection = client.get_model_config("text_detection", "1")
    assert detection["input"][0]["dims"] == [-1, -1, -1, 3]
    assert [o["dims"] for o in detection["output"]] == [[-1, -1, -1, 1], [-1, -1, -1, 5]]


def test_model_config_label_file(client):
    config = client.get_model_config("classifier")
    assert config["output"][0]["label_filename"] == "labels.txt"


def test_model_config_versioned_policy(client):
    config = client.get_model_config("simple_versioned")
    assert config["max_batch_size"] == 4
    versions = config["version_policy"]["specific"]["versions"]
    assert [int(v) for v in versions] == [1, 3]


@pytest.mark.timeout(90)
def test_sigterm_stops_cleanly_with_exit_code_zero(server_factory, test_repo):
    inferd = server_factory.start([test_repo])
    assert http_raw.request(inferd, "GET", "/v2/health/ready").status == 200
    exit_code = inferd.stop()
    assert exit_code == 0, f"inferd exited {exit_code} on SIGTERM\n{inferd.log_tail()}"
