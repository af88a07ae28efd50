"""Every entry of a repository folder that looks meant as a model is in the
index with the exact reason it cannot be served (a symlink loop, a dangling
link, a model copied as a file, a model file that is a link loop), instead
of vanishing; the log says the same, and the real models serve."""

import os

import numpy as np
import pytest
import requests
import tritonclient.http as httpclient

from models import onnx_builders as builders
from models.repositories import model_config, tensor_config, write_model

pytestmark = pytest.mark.timeout(60)


def _identity(repo, name):
    config = model_config(name, 8, [tensor_config("INPUT0", "TYPE_FP32", [4])],
                          [tensor_config("OUTPUT0", "TYPE_FP32", [4])])
    return write_model(repo, name, config, builders.identity_model("FP32", True, [4]))


@pytest.fixture(scope="module")
def reasons_server(inferd_binary, tmp_path_factory):
    from server_process import InferdServer, start_or_fail

    root = tmp_path_factory.mktemp("load_reasons")
    repo = root / "repo"
    _identity(repo, "good")
    os.symlink("loop", repo / "loop")
    os.symlink(root / "gone", repo / "dangling")
    (repo / "copied_as_a_file").write_bytes(b"\x08\x07onnx bytes, not a folder")
    (repo / "README.md").write_text("notes about this repository\n")
    (repo / "LICENSE").write_text("not a model\n")
    looped = _identity(repo, "model_file_loop")
    (looped / "1" / "model.onnx").unlink()
    os.symlink("model.onnx", looped / "1" / "model.onnx")
    server = start_or_fail(InferdServer([repo], root / "inferd.log", binary=inferd_binary))
    yield server
    server.stop()


def _index(server):
    response = requests.post(f"{server.base_url}/v2/repository/index", json={}, timeout=10)
    assert response.status_code == 200, response.text
    return {row["name"]: row for row in response.json()}


@pytest.mark.parametrize("name, words", [
    ("loop", ["symbolic link loop"]),
    ("dangling", ["symbolic link to", "gone", "does not exist"]),
    ("copied_as_a_file", ["is a file, not a model folder"]),
    ("model_file_loop", ["model.onnx", "loop"]),
])
def test_unservable_entries_are_in_the_index_with_their_reason(reasons_server, name, words):
    row = _index(reasons_server).get(name)
    assert row is not None, f"'{name}' is missing from the index"
    assert row["state"] == "UNAVAILABLE", row
    for word in words:
        assert word in row["reason"], f"{row['reason']!r} does not mention {word!r}"
    assert name in reasons_server.log_text()


def test_ordinary_files_are_not_models(reasons_server):
    index = _index(reasons_server)
    assert "README.md" not in index and "LICENSE" not in index


def test_the_real_model_serves(reasons_server):
    assert _index(reasons_server)["good"]["state"] == "READY"
    client = httpclient.InferenceServerClient(url=reasons_server.url)
    try:
        data = np.arange(4, dtype=np.float32).reshape(1, 4)
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(data)
        np.testing.assert_array_equal(client.infer("good", [tensor]).as_numpy("OUTPUT0"), data)
    finally:
        client.close()
