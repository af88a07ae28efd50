"""Health, metadata, model config and repository RPCs over gRPC with the
stock tritonclient.grpc, checked against what the HTTP side of the same
server says (one server, one truth)."""

import grpc
import pytest
import tritonclient.grpc as grpcclient
from google.protobuf import json_format
from tritonclient.grpc import model_config_pb2, service_pb2
from tritonclient.utils import InferenceServerException

import grpc_raw
import http_raw
from models.repositories import BROKEN_MODELS, GOOD_MODELS_BESIDE_BROKEN
from server_process import InferdServer, ServerStartError
from test_grpc_bad_input import HTTP_TO_GRPC

pytestmark = pytest.mark.timeout(60)


def test_server_live_and_ready(grpc_client):
    assert grpc_client.is_server_live() is True
    assert grpc_client.is_server_ready() is True


def test_server_metadata_matches_http(grpc_client, client):
    metadata = grpc_client.get_server_metadata()
    assert metadata.name and metadata.version
    http_metadata = client.get_server_metadata()
    assert metadata.name == http_metadata["name"]
    assert metadata.version == http_metadata["version"]
    assert list(metadata.extensions) == http_metadata["extensions"]
    for extension in ["statistics", "model_configuration", "classification", "schedule_policy"]:
        assert extension in metadata.extensions, f"{extension!r} missing from {metadata.extensions}"


def test_server_metadata_as_json(grpc_client):
    metadata = grpc_client.get_server_metadata(as_json=True)
    assert isinstance(metadata["name"], str) and metadata["name"]
    assert isinstance(metadata["extensions"], list)


def _io(entries):
    return {entry.name: (entry.datatype, list(entry.shape)) for entry in entries}


@pytest.mark.parametrize("version", ["", "1"])
def test_model_metadata_batched(grpc_client, version):
    metadata = grpc_client.get_model_metadata("simple", model_version=version)
    assert metadata.name == "simple"
    assert list(metadata.versions) == ["1"]
    assert metadata.platform == "onnxruntime_onnx"
    assert _io(metadata.inputs) == {"INPUT0": ("INT32", [-1, 16]), "INPUT1": ("INT32", [-1, 16])}
    assert _io(metadata.outputs) == {"OUTPUT0": ("INT32", [-1, 16]), "OUTPUT1": ("INT32", [-1, 16])}


@pytest.mark.parametrize("model", ["simple", "simple_nobatch", "simple_versioned", "identity_bytes",
                                   "text_detection", "text_recognition", "classifier"])
def test_model_metadata_matches_http(grpc_client, client, model):
    metadata = grpc_client.get_model_metadata(model, as_json=True)
    http_metadata = client.get_model_metadata(model)
    assert metadata["name"] == http_metadata["name"]
    assert metadata.get("platform", "") == http_metadata.get("platform", "")
    assert sorted(metadata["versions"]) == sorted(http_metadata["versions"])
    for key in ("inputs", "outputs"):
        grpc_side = [(t["name"], t["datatype"], [int(d) for d in t.get("shape", [])])
                     for t in metadata[key]]
        http_side = [(t["name"], t["datatype"], t["shape"]) for t in http_metadata[key]]
        assert grpc_side == http_side, key


def test_model_metadata_report_models(grpc_client):
    detection = grpc_client.get_model_metadata("text_detection")
    assert _io(detection.inputs) == {"input_images:0": ("FP32", [-1, -1, -1, 3])}
    assert _io(detection.outputs) == {"feature_fusion/Conv_7/Sigmoid:0": ("FP32", [-1, -1, -1, 1]),
                                      "feature_fusion/concat_3:0": ("FP32", [-1, -1, -1, 5])}
    recognition = grpc_client.get_model_metadata("text_recognition")
    assert _io(recognition.inputs) == {"input.1": ("FP32", [1, 1, 32, 100])}
    assert _io(recognition.outputs) == {"308": ("FP32", [1, 26, 37])}


@pytest.mark.parametrize("model,version", [("no_such_model", ""), ("simple", "7")])
def test_model_metadata_unknown_is_not_found(grpc_client, model, version):
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.get_model_metadata(model, model_version=version)
    grpc_raw.assert_code_and_words(raised.value, grpc.StatusCode.NOT_FOUND, [model])


def test_model_ready(grpc_client):
    assert grpc_client.is_model_ready("simple") is True
    assert grpc_client.is_model_ready("simple", "1") is True
    # tritonclient's is_model_ready returns a bool; like tritonserver, an
    # unknown model or version is "not ready", not an error.
    assert grpc_client.is_model_ready("no_such_model") is False
    assert grpc_client.is_model_ready("simple", "7") is False
    assert grpc_client.is_model_ready("simple_versioned", "2") is False


def _config_from_http(client, model, version=""):
    """The HTTP config JSON parsed into the same proto the gRPC side sends;
    a field name HTTP spells differently fails the parse."""
    return json_format.ParseDict(client.get_model_config(model, version), model_config_pb2.ModelConfig())


@pytest.mark.parametrize("model", ["simple", "simple_nobatch", "simple_versioned", "simple_string",
                                   "identity_bytes_nobatch", "classifier", "text_detection",
                                   "text_recognition"])
def test_model_config_matches_http(grpc_client, client, model):
    config = grpc_client.get_model_config(model).config
    assert config == _config_from_http(client, model), (
        f"gRPC config:\n{config}\nHTTP config:\n{_config_from_http(client, model)}")


def test_model_config_as_json(grpc_client):
    config = grpc_client.get_model_config("simple", as_json=True)["config"]
    assert config["name"] == "simple"
    assert config["max_batch_size"] == 8
    inputs = {entry["name"]: entry for entry in config["input"]}
    assert inputs["INPUT0"]["data_type"] == "TYPE_INT32"
    # MessageToJson writes int64 as strings.
    assert [int(d) for d in inputs["INPUT0"]["dims"]] == [16]
    assert config["backend"] == "onnxruntime"


def test_model_config_report_models_as_written(grpc_client):
    recognition = grpc_client.get_model_config("text_recognition").config
    assert recognition.name == "text_recognition"
    assert recognition.max_batch_size == 0
    assert (recognition.input[0].name, list(recognition.input[0].dims)) == ("input.1", [1, 1, 32, 100])
    assert recognition.input[0].data_type == model_config_pb2.TYPE_FP32
    assert (recognition.output[0].name, list(recognition.output[0].dims)) == ("308", [1, 26, 37])
    detection = grpc_client.get_model_config("text_detection", "1").config
    assert [list(o.dims) for o in detection.output] == [[-1, -1, -1, 1], [-1, -1, -1, 5]]


def test_model_config_versioned_policy_and_labels(grpc_client):
    versioned = grpc_client.get_model_config("simple_versioned").config
    assert list(versioned.version_policy.specific.versions) == [1, 3]
    assert grpc_client.get_model_config("classifier").config.output[0].label_filename == "labels.txt"


@pytest.mark.parametrize("model,version", [("no_such_model", ""), ("simple", "7")])
def test_model_config_unknown_is_not_found(grpc_client, model, version):
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.get_model_config(model, model_version=version)
    grpc_raw.assert_code_and_words(raised.value, grpc.StatusCode.NOT_FOUND, [model])


def _index(entries):
    return {(e.name, e.version): (e.state, e.reason) for e in entries}


def test_repository_index_matches_http(grpc_client, client):
    index = grpc_client.get_model_repository_index()
    by_key = _index(index.models)
    http_index = {(e["name"], e.get("version", "")): (e.get("state", ""), e.get("reason", ""))
                  for e in client.get_model_repository_index()}
    assert by_key == http_index
    for key in [("simple", "1"), ("simple_versioned", "1"), ("simple_versioned", "3"),
                ("identity_fp16", "1"), ("text_detection", "1")]:
        assert by_key[key][0] == "READY", f"{key}: {by_key.get(key)}"
    assert by_key.get(("simple_versioned", "2"), ("",))[0] != "READY"


@pytest.mark.parametrize("call", ["load_model", "unload_model"])
def test_model_control_is_refused_clearly(grpc_client, call):
    # inferd loads every model at start; RepositoryModelLoad/Unload must say
    # so (UNIMPLEMENTED or UNAVAILABLE with a message), never pretend.
    with pytest.raises(InferenceServerException) as raised:
        getattr(grpc_client, call)("no_such_model")
    assert raised.value.status() in (str(grpc.StatusCode.UNIMPLEMENTED),
                                     str(grpc.StatusCode.UNAVAILABLE)), raised.value
    assert raised.value.message().strip()
    assert grpc_client.is_model_ready("simple")


@pytest.mark.parametrize("rpc,message", [
    ("SystemSharedMemoryStatus", service_pb2.SystemSharedMemoryStatusRequest()),
    ("CudaSharedMemoryStatus", service_pb2.CudaSharedMemoryStatusRequest()),
    ("TraceSetting", service_pb2.TraceSettingRequest()),
    ("LogSettings", service_pb2.LogSettingsRequest()),
])
def test_other_rpcs_answer_without_hanging(server, rpc, message):
    """Not implemented yet: a clear status (OK or UNIMPLEMENTED/UNAVAILABLE
    with a message) and quickly, never a hang or a dropped connection."""
    with grpc_raw.stub(server) as service:
        try:
            getattr(service, rpc)(message, timeout=10)
        except grpc.RpcError as error:
            assert error.code() in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.UNAVAILABLE), (
                f"{rpc}: {error.code()} {error.details()!r}")
            assert error.details() and error.details().strip()
        assert service.ServerLive(service_pb2.ServerLiveRequest(), timeout=10).live


@pytest.fixture(scope="module")
def broken_server(inferd_binary, broken_repo, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("grpc_broken_server") / "inferd.log"
    inferd = InferdServer([broken_repo], log_path, binary=inferd_binary)
    try:
        inferd.start()
    except ServerStartError as error:
        pytest.fail(f"server with broken models beside good ones did not start: {error}")
    yield inferd
    inferd.stop()


def test_broken_models_over_grpc(broken_server):
    triton = grpcclient.InferenceServerClient(url=broken_server.grpc_url)
    try:
        assert triton.is_server_live() is True
        # Default --strict-readiness=true: not ready while a model is broken.
        assert triton.is_server_ready() is False
        for model in GOOD_MODELS_BESIDE_BROKEN:
            assert triton.is_model_ready(model) is True, model
        index = _index(triton.get_model_repository_index().models)
        for model, cause_words in BROKEN_MODELS.items():
            assert triton.is_model_ready(model) is False, model
            entries = {key: value for key, value in index.items() if key[0] == model}
            assert entries, f"{model} missing from the gRPC repository index"
            for state, reason in entries.values():
                assert state == "UNAVAILABLE"
                assert any(word.lower() in reason.lower() for word in cause_words), (model, reason)
    finally:
        triton.close()


@pytest.mark.parametrize("model", sorted(BROKEN_MODELS))
def test_broken_model_refuses_inference_over_grpc(broken_server, model):
    message = grpc_raw.request(model, [grpc_raw.raw_input("INPUT0", "FP32", [1, 4])],
                               raw=[b"\x00" * 16])
    error = grpc_raw.infer_error(broken_server, message)
    # The same code and message as HTTP gives for the same request.
    over_http = http_raw.post_json(broken_server, http_raw.infer_path(model), {"inputs": [
        http_raw.json_input("INPUT0", "FP32", [1, 4], [0.0] * 4)]})
    expected = HTTP_TO_GRPC.get(str(over_http.status))
    grpc_raw.assert_code_and_words(error, expected, [model])
    assert error.details() == over_http.error_text()
    # The good model beside them still answers over gRPC.
    good = grpcclient.InferenceServerClient(url=broken_server.grpc_url)
    try:
        assert good.is_model_ready("add_sub_fp32")
    finally:
        good.close()
