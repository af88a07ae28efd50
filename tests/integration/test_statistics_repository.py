"""Statistics (`/v2/models/stats`, per model and version) and the model
repository index (`POST /v2/repository/index`)."""

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw
from models import onnx_builders, repositories

pytestmark = pytest.mark.timeout(60)

STATS_MODEL = "identity_int64"


def _stats_entry(client, model, version=""):
    stats = client.get_inference_statistics(model_name=model, model_version=version)
    entries = [s for s in stats["model_stats"] if s["name"] == model]
    assert len(entries) == 1, f"expected one stats entry for {model}: {stats}"
    return entries[0]


def _counts(entry):
    inference_stats = entry["inference_stats"]
    return {
        "success": int(inference_stats["success"]["count"]),
        "fail": int(inference_stats["fail"]["count"]),
        "inference_count": int(entry["inference_count"]),
    }


def test_statistics_count_exactly_what_was_sent(client):
    before = _counts(_stats_entry(client, STATS_MODEL))
    before_v1 = _counts(_stats_entry(client, STATS_MODEL, "1"))

    successes, batch = 5, 2
    for i in range(successes):
        data = np.full((batch, 4), i, dtype=np.int64)
        tensor = httpclient.InferInput("INPUT0", [batch, 4], "INT64")
        tensor.set_data_from_numpy(data)
        np.testing.assert_array_equal(client.infer(STATS_MODEL, [tensor]).as_numpy("OUTPUT0"), data)

    failures = 3
    for _ in range(failures):
        # Well-formed on the wire, wrong for the model: dims are [4], not [3].
        bad = httpclient.InferInput("INPUT0", [2, 3], "INT64")
        bad.set_data_from_numpy(np.zeros((2, 3), dtype=np.int64))
        with pytest.raises(InferenceServerException):
            client.infer(STATS_MODEL, [bad])

    after = _counts(_stats_entry(client, STATS_MODEL))
    after_v1 = _counts(_stats_entry(client, STATS_MODEL, "1"))
    for before_, after_ in [(before, after), (before_v1, after_v1)]:
        assert after_["success"] - before_["success"] == successes
        assert after_["fail"] - before_["fail"] == failures
        # inference_count counts batch items, not requests (Triton semantics).
        assert after_["inference_count"] - before_["inference_count"] == successes * batch


def test_statistics_entry_fields(client):
    entry = _stats_entry(client, "simple", "1")
    assert entry["version"] == "1"
    for key in ["success", "fail", "queue", "compute_input", "compute_infer", "compute_output"]:
        assert key in entry["inference_stats"], f"inference_stats lacks {key}: {entry}"
        assert "count" in entry["inference_stats"][key] and "ns" in entry["inference_stats"][key]


def test_statistics_for_all_models(client, server):
    stats = client.get_inference_statistics()
    names = {entry["name"] for entry in stats["model_stats"]}
    assert {"simple", "simple_nobatch", STATS_MODEL, "text_detection"} <= names
    raw = http_raw.request(server, "GET", "/v2/models/stats")
    assert raw.status == 200
    assert {entry["name"] for entry in raw.json()["model_stats"]} == names


def test_statistics_unknown_model_is_an_error(server):
    response = http_raw.request(server, "GET", "/v2/models/no_such_model/stats")
    assert 400 <= response.status < 500
    assert "no_such_model" in response.error_text()


def _index_by_name_version(index):
    return {(entry["name"], entry.get("version", "")): entry for entry in index}


def test_repository_index_lists_every_version_with_state(client):
    index = client.get_model_repository_index()
    by_key = _index_by_name_version(index)
    expected_ready = [(repositories.identity_name(datatype, batched), "1")
                      for datatype in onnx_builders.DATATYPES for batched in (True, False)]
    expected_ready += [("classifier", "1"), ("text_detection", "1"), ("text_recognition", "1"),
                       ("add_sub_fp32", "1"), ("simple", "1"), ("simple_nobatch", "1"),
                       ("simple_string", "1"), ("simple_versioned", "1"), ("simple_versioned", "3")]
    for key in expected_ready:
        assert key in by_key, f"{key} missing from the repository index: {sorted(by_key)}"
        assert by_key[key]["state"] == "READY", f"{key}: {by_key[key]}"
    # Version 2 of simple_versioned is on disk but outside the policy.
    assert by_key.get(("simple_versioned", "2"), {}).get("state") != "READY"


def test_repository_index_raw_post(server):
    response = http_raw.post_json(server, "/v2/repository/index", {})
    assert response.status == 200
    index = response.json()
    assert isinstance(index, list) and index, f"empty repository index: {index!r}"
    assert "simple" in {entry["name"] for entry in index}
    for entry in index:
        assert isinstance(entry["name"], str) and "state" in entry
