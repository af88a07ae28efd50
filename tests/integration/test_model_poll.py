"""Poll mode: what the poller notices and what it does about it. Models
added and removed, versions added, configs and label files edited, model
files rewritten with new contents; a broken update keeps the loaded model
serving, with the reason in the index and the log; a file touched without
a change reloads nothing."""

import os
import time

import numpy as np
import onnx
import pytest
import tritonclient.http as httpclient

from models import control_models as cm
from models.repositories import tensor_config
from server_process import wait_for

pytestmark = pytest.mark.timeout(120)

POLL = ["--model-control-mode=poll", "--repository-poll-secs=1"]


def delta(client, model):
    data = np.zeros((1, 4), dtype=np.float32)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data)
    result = client.infer(model, [tensor])
    return int(result.as_numpy("OUTPUT0")[0, 0]), result.get_response()["model_version"]


def rows(client, name):
    return [row for row in client.get_model_repository_index() if row["name"] == name]


def test_poller_follows_the_repository(server_factory, tmp_path):
    repo = tmp_path / "repo"
    folder = cm.write_versioned(repo, "plus", [1])
    server = server_factory.start([repo], POLL)
    client = httpclient.InferenceServerClient(url=server.url)
    assert delta(client, "plus") == (1, "1")

    # A new version folder: served once the poller sees it (latest 1).
    (folder / "2").mkdir()
    onnx.save(cm.plus_k(2), str(folder / "2" / "model.onnx"))
    assert wait_for(lambda: delta(client, "plus") == (2, "2"))

    # The model file rewritten with other contents: reloaded.
    onnx.save(cm.plus_k(7), str(folder / "2" / "model.onnx"))
    assert wait_for(lambda: delta(client, "plus") == (7, "2"))

    # A new model folder, then its removal.
    cm.write_versioned(repo, "extra", [1])
    assert wait_for(lambda: client.is_model_ready("extra"))
    for path in sorted((repo / "extra").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (repo / "extra").rmdir()
    assert wait_for(lambda: not client.is_model_ready("extra"))
    assert "model 'extra' is no longer in the model repository" in server.log_text()
    assert wait_for(lambda: rows(client, "extra")[0].get("reason") == "removed from the model repository")

    # Touched, not changed: nothing reloads.
    reloads = server.log_text().count("successfully loaded 'plus'")
    later = time.time() + 5
    os.utime(folder / "config.pbtxt", (later, later))
    time.sleep(2.5)
    assert server.log_text().count("successfully loaded 'plus'") == reloads


def test_broken_update_keeps_the_model_serving(server_factory, tmp_path):
    repo = tmp_path / "repo"
    folder = cm.write_versioned(repo, "plus", [1])
    server = server_factory.start([repo], POLL)
    client = httpclient.InferenceServerClient(url=server.url)
    good_config = (folder / "config.pbtxt").read_text()
    (folder / "config.pbtxt").write_text(good_config + "\nthis is not a config field\n")
    assert wait_for(lambda: "keeps serving" in rows(client, "plus")[0].get("reason", ""))
    row = rows(client, "plus")[0]
    assert row["state"] == "READY" and row["version"] == "1"
    assert delta(client, "plus") == (1, "1")
    assert "failed to load model 'plus'" in server.log_text()
    assert client.is_model_ready("plus")
    # Fixed: the reason goes, the model reloads.
    (folder / "config.pbtxt").write_text(good_config.replace("max_batch_size: 8", "max_batch_size: 4"))
    assert wait_for(lambda: client.get_model_config("plus")["max_batch_size"] == 4)
    assert "reason" not in rows(client, "plus")[0]


def test_label_file_edits_reach_classification(server_factory, tmp_path):
    repo = tmp_path / "repo"
    folder = repo / "labelled"
    cm.write_versioned(repo, "labelled", [1])
    config = (folder / "config.pbtxt").read_text()
    config = config.replace(tensor_config("OUTPUT0", "TYPE_FP32", [4]),
                            tensor_config("OUTPUT0", "TYPE_FP32", [4], '    label_filename: "labels.txt"\n'))
    (folder / "labels.txt").write_text("a\nb\nc\nd\n")
    (folder / "config.pbtxt").write_text(config)
    server = server_factory.start([repo], POLL)
    client = httpclient.InferenceServerClient(url=server.url)

    def top_label():
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(np.array([[0, 0, 5, 0]], dtype=np.float32))
        result = client.infer("labelled", [tensor],
                              outputs=[httpclient.InferRequestedOutput("OUTPUT0", class_count=1)])
        return result.as_numpy("OUTPUT0").reshape(-1)[0].decode().split(":")[-1]

    assert top_label() == "c"
    (folder / "labels.txt").write_text("a\nb\nsea\nd\n")
    assert wait_for(lambda: top_label() == "sea")
