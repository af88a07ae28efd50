"""Files a config names stay inside that model's folder.

label_filename and default_model_filename (and the OCR backend's dictionary
parameter, unit-tested beside the backend) are resolved to their real path,
which must lie inside <repository>/<model>. A name that climbs out with "..",
an absolute path, a symlink that points out, or a symlink loop makes that
model UNAVAILABLE with a reason naming the field; nothing outside the
repository is ever read or returned to a client, and the other models serve.
"""

import os

import numpy as np
import pytest
import tritonclient.http as httpclient

from models import onnx_builders as builders
from models.repositories import model_config, tensor_config, write_model

pytestmark = pytest.mark.timeout(60)


def _classifier(repo, name, label_filename, extra=""):
    config = model_config(
        name, 8, [tensor_config("INPUT0", "TYPE_FP32", [3])],
        [tensor_config("PROBS", "TYPE_FP32", [3], f'    label_filename: "{label_filename}"\n')], extra)
    return write_model(repo, name, config, builders.softmax_classifier_model(3))


@pytest.fixture(scope="module")
def outside_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("confinement")
    secret = root / "secret.txt"
    secret.write_text("SECRET-ONE\nSECRET-TWO\nSECRET-THREE\n")
    builders.onnx.save(builders.softmax_classifier_model(3), str(root / "outside.onnx"))
    repo = root / "repo"
    good = _classifier(repo, "good", "labels.txt")
    (good / "labels.txt").write_text("a\nb\nc\n")
    _classifier(repo, "dotdot_labels", "../../secret.txt")
    _classifier(repo, "absolute_labels", str(secret))
    linked = _classifier(repo, "symlinked_labels", "labels.txt")
    os.symlink(secret, linked / "labels.txt")
    looped = _classifier(repo, "looped_labels", "labels.txt")
    os.symlink(looped / "b.txt", looped / "labels.txt")
    os.symlink(looped / "labels.txt", looped / "b.txt")
    outside_model = write_model(repo, "outside_model", model_config(
        "outside_model", 8, [tensor_config("INPUT0", "TYPE_FP32", [3])], [tensor_config("PROBS", "TYPE_FP32", [3])],
        'default_model_filename: "../../outside.onnx"\n'))
    assert outside_model.is_dir()
    loop_model = write_model(repo, "looped_model", model_config(
        "looped_model", 8, [tensor_config("INPUT0", "TYPE_FP32", [3])], [tensor_config("PROBS", "TYPE_FP32", [3])]))
    os.symlink(loop_model / "1" / "model.onnx", loop_model / "1" / "model.onnx")
    return repo


@pytest.fixture(scope="module")
def index(outside_files, inferd_binary, tmp_path_factory):
    from server_process import InferdServer, start_or_fail
    server = start_or_fail(InferdServer([outside_files], tmp_path_factory.mktemp("log") / "inferd.log",
                                        binary=inferd_binary))
    client = httpclient.InferenceServerClient(url=server.url)
    try:
        yield {entry["name"]: entry for entry in client.get_model_repository_index()}, client
    finally:
        client.close()
        server.stop()


@pytest.mark.parametrize("model,words", [
    ("dotdot_labels", ["label_filename '../../secret.txt'", "outside the model folder"]),
    ("absolute_labels", ["label_filename", "is an absolute path"]),
    ("symlinked_labels", ["label_filename 'labels.txt' resolves to", "outside the model folder"]),
    ("looped_labels", ["label_filename 'labels.txt'", "symbolic link loop"]),
    ("outside_model", ["default_model_filename '../../outside.onnx'", "outside the model folder"]),
    ("looped_model", ["default_model_filename 'model.onnx'", "symbolic link loop"]),
])
def test_a_file_outside_the_model_folder_makes_the_model_unavailable(index, model, words):
    entries, client = index
    entry = entries[model]
    assert entry["state"] == "UNAVAILABLE", entry
    for word in words:
        assert word in entry["reason"], entry
    assert "SECRET" not in entry["reason"]
    assert not client.is_model_ready(model)


def test_the_model_beside_them_serves_its_own_labels(index):
    entries, client = index
    assert entries["good"]["state"] == "READY"
    tensor = httpclient.InferInput("INPUT0", [1, 3], "FP32")
    tensor.set_data_from_numpy(np.array([[0.0, 5.0, 1.0]], dtype=np.float32))
    result = client.infer("good", [tensor], outputs=[httpclient.InferRequestedOutput("PROBS", class_count=1)])
    assert result.as_numpy("PROBS").reshape(-1)[0].decode().endswith(":1:b")
