"""model_warmup: samples run before a version serves. A table lookup
(Gather over 10 entries, ONNX Runtime fails on an index outside 0..9) shows
the samples really run, with the data they name: zero data and a file of
good indices load, a file with index 99 fails the load with Triton's
"failed to run warmup sample" reason, and the other models serve."""

import numpy as np
import pytest
import tritonclient.http as httpclient

from models.ensemble_models import GATHER_TABLE, gather_model
from models.repositories import model_config, tensor_config, write_model

pytestmark = pytest.mark.timeout(120)


def warmup(name, batch_size, data, count=1):
    return (f'model_warmup [ {{ name: "{name}" batch_size: {batch_size} count: {count}\n'
            f'  inputs {{ key: "INDICES" value: {{ data_type: TYPE_INT64 dims: [ 3 ] {data} }} }} }} ]\n')


def write_lookup(repo, name, extra, indices=None):
    config = model_config(name, 8, [tensor_config("INDICES", "TYPE_INT64", [-1])],
                          [tensor_config("OUT", "TYPE_FP32", [-1])], extra)
    folder = write_model(repo, name, config, gather_model())
    if indices is not None:
        (folder / "warmup").mkdir()
        (folder / "warmup" / "indices.bin").write_bytes(np.array(indices, dtype=np.int64).tobytes())
    return folder


def test_warmup_runs_before_ready_and_a_failing_sample_fails_the_load(server_factory, tmp_path):
    repo = tmp_path / "repo"
    write_lookup(repo, "zero_warm", warmup("zeros", 4, "zero_data: true", count=3))
    write_lookup(repo, "random_warm", warmup("random", 2, "random_data: true"))
    write_lookup(repo, "file_warm", warmup("good file", 1, 'input_data_file: "indices.bin"'), [1, 2, 3])
    write_lookup(repo, "bad_warm", warmup("bad file", 1, 'input_data_file: "indices.bin"'), [1, 99, 3])
    write_lookup(repo, "short_warm", warmup("short file", 1, 'input_data_file: "indices.bin"'), [1])
    server = server_factory.start([repo])
    client = httpclient.InferenceServerClient(url=server.url)
    index = {row["name"]: row for row in client.get_model_repository_index()}
    for good in ("zero_warm", "file_warm"):
        assert index[good]["state"] == "READY", index[good]
        stats = client.get_inference_statistics(good)["model_stats"][0]
        assert stats["inference_count"] == 0, "warm-up runs are not counted as traffic"
    # random_data for INT64 is any 64-bit value: ONNX Runtime refuses most
    # as indices, so this sample fails; what matters is that it ran.
    assert index["random_warm"]["state"] == "UNAVAILABLE"
    assert "failed to run warmup sample 'random'" in index["random_warm"]["reason"]
    bad = index["bad_warm"]
    assert bad["state"] == "UNAVAILABLE"
    assert "failed to run warmup sample 'bad file'" in bad["reason"], bad
    short = index["short_warm"]
    assert short["state"] == "UNAVAILABLE"
    assert "expects 24 bytes" in short["reason"] and "only has 8 bytes" in short["reason"], short
    indices = np.array([[0, 9]], dtype=np.int64)
    tensor = httpclient.InferInput("INDICES", [1, 2], "INT64")
    tensor.set_data_from_numpy(indices)
    np.testing.assert_array_equal(client.infer("file_warm", [tensor]).as_numpy("OUT"), GATHER_TABLE[indices])
