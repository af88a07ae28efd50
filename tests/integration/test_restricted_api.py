"""--http-restricted-api and --grpc-restricted-protocol, as tritonserver
has them: a restricted group answers HTTP 403 / gRPC UNAVAILABLE in
Triton's words without the header or metadata key, and works with it;
other groups stay open. Restricting model control on every protocol is
what lets uploads in without --allow-model-upload."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw
from models import control_models as cm

pytestmark = pytest.mark.timeout(120)

KEY, VALUE = "admin-key", "s3cret"
RESTRICTED = ["--model-control-mode=explicit",
              f"--http-restricted-api=model-repository,model-config:{KEY}={VALUE}",
              f"--grpc-restricted-protocol=model-repository:{KEY}={VALUE}",
              "--http-restricted-api=statistics:stats-key=x"]


@pytest.fixture
def restricted_server(server_factory, tmp_path):
    repo = tmp_path / "repo"
    cm.write_versioned(repo, "plus", [1])
    return server_factory.start([repo], RESTRICTED + ["--load-model=plus"])


def test_http_restricted_groups_need_the_header(restricted_server):
    server = restricted_server
    for path, method in (("/v2/repository/index", "POST"), ("/v2/repository/models/plus/unload", "POST"),
                         ("/v2/models/plus/config", "GET")):
        refused = http_raw.request(server, method, path)
        assert refused.status == 403, path
        assert refused.error_text() == f"This API is restricted, expecting header '{KEY}'"
        wrong = http_raw.request(server, method, path, headers={KEY: "guess"})
        assert wrong.status == 403, path
    stats = http_raw.request(server, "GET", "/v2/models/plus/stats")
    assert stats.status == 403 and "stats-key" in stats.error_text()
    client = httpclient.InferenceServerClient(url=server.url)
    # Open groups need nothing.
    assert client.is_server_ready() and client.is_model_ready("plus")
    data = np.zeros((1, 4), dtype=np.float32)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data)
    assert np.all(client.infer("plus", [tensor]).as_numpy("OUTPUT0") == 1)
    # With the header, the stock client controls models.
    headers = {KEY: VALUE}
    assert client.get_model_config("plus", headers=headers)["name"] == "plus"
    client.unload_model("plus", headers=headers)
    assert not client.is_model_ready("plus")
    client.load_model("plus", headers=headers)
    assert client.is_model_ready("plus")


def test_grpc_restricted_protocol_needs_the_metadata_key(restricted_server):
    client = grpcclient.InferenceServerClient(url=restricted_server.grpc_url)
    with pytest.raises(InferenceServerException) as refused:
        client.get_model_repository_index()
    assert refused.value.status() == str(grpc.StatusCode.UNAVAILABLE)
    assert refused.value.message() == f"This protocol is restricted, expecting header 'triton-grpc-protocol-{KEY}'"
    metadata = {f"triton-grpc-protocol-{KEY}": VALUE}
    assert len(client.get_model_repository_index(headers=metadata).models) == 1
    client.unload_model("plus", headers=metadata)
    assert not client.is_model_ready("plus")
    # gRPC config is not restricted here (only HTTP's is).
    client.load_model("plus", headers=metadata)
    assert client.get_model_config("plus").config.name == "plus"


def test_restricting_model_control_everywhere_lets_uploads_in(restricted_server):
    client = httpclient.InferenceServerClient(url=restricted_server.url)
    config = '{"backend": "onnxruntime", "max_batch_size": 8}'
    client.load_model("uploaded", config=config, files={"file:1/model.onnx": cm.plus_k(4).SerializeToString()},
                      headers={KEY: VALUE})
    assert client.is_model_ready("uploaded")


def test_bad_restriction_flags_stop_the_start(server_factory, tmp_path):
    repo = cm.write_triton_example_repository(tmp_path / "repo", 1)
    for flag, words in (("--http-restricted-api=healthy:k=v", "unknown restricted api 'healthy'"),
                        ("--grpc-restricted-protocol=health", "expects"),):
        server = server_factory.create([repo], [flag])
        server.launch()
        assert server.wait_exit(20) not in (0, None)
        assert words in server.log_text()
