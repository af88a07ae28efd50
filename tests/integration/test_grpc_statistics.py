"""ModelStatistics over gRPC: exact counts after gRPC requests, and one set
of numbers — a request is counted once whichever protocol carried it, and
both protocols report identical statistics for the same moment."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from google.protobuf import json_format
from tritonclient.grpc import service_pb2
from tritonclient.utils import InferenceServerException

import grpc_raw

pytestmark = pytest.mark.timeout(60)

STATS_MODEL = "identity_uint32"


def _grpc_entry(grpc_client, model, version=""):
    stats = grpc_client.get_inference_statistics(model_name=model, model_version=version)
    entries = [s for s in stats.model_stats if s.name == model]
    assert len(entries) == 1, f"expected one stats entry for {model}: {stats}"
    return entries[0]


def _counts(entry):
    return {"success": entry.inference_stats.success.count,
            "fail": entry.inference_stats.fail.count,
            "inference_count": entry.inference_count,
            "execution_count": entry.execution_count}


def _http_as_proto(client, model="", version=""):
    """The HTTP statistics JSON parsed into the gRPC response message, so
    both sides compare field by field (HTTP writes uint64 as numbers)."""
    stats = client.get_inference_statistics(model_name=model, model_version=version)
    return json_format.ParseDict(stats, service_pb2.ModelStatisticsResponse(),
                                 ignore_unknown_fields=True)


def _grpc_infer(grpc_client, batch, value):
    data = np.full((batch, 4), value, dtype=np.uint32)
    tensor = grpcclient.InferInput("INPUT0", [batch, 4], "UINT32")
    tensor.set_data_from_numpy(data)
    np.testing.assert_array_equal(grpc_client.infer(STATS_MODEL, [tensor]).as_numpy("OUTPUT0"), data)


def test_statistics_count_exactly_what_was_sent_over_grpc(grpc_client):
    before = _counts(_grpc_entry(grpc_client, STATS_MODEL))
    before_v1 = _counts(_grpc_entry(grpc_client, STATS_MODEL, "1"))
    successes, batch, failures = 4, 3, 2
    for i in range(successes):
        _grpc_infer(grpc_client, batch, i)
    for _ in range(failures):
        bad = grpcclient.InferInput("INPUT0", [2, 3], "UINT32")  # dims are [4]
        bad.set_data_from_numpy(np.zeros((2, 3), dtype=np.uint32))
        with pytest.raises(InferenceServerException):
            grpc_client.infer(STATS_MODEL, [bad])
    after = _counts(_grpc_entry(grpc_client, STATS_MODEL))
    after_v1 = _counts(_grpc_entry(grpc_client, STATS_MODEL, "1"))
    for before_, after_ in [(before, after), (before_v1, after_v1)]:
        assert after_["success"] - before_["success"] == successes
        assert after_["fail"] - before_["fail"] == failures
        assert after_["inference_count"] - before_["inference_count"] == successes * batch
        assert 1 <= after_["execution_count"] - before_["execution_count"] <= successes


def test_requests_over_both_protocols_are_counted_once_each(grpc_client, client):
    before = _counts(_grpc_entry(grpc_client, STATS_MODEL))
    for i in range(3):
        _grpc_infer(grpc_client, 1, i)
    for i in range(2):
        data = np.full((2, 4), i, dtype=np.uint32)
        tensor = httpclient.InferInput("INPUT0", [2, 4], "UINT32")
        tensor.set_data_from_numpy(data)
        client.infer(STATS_MODEL, [tensor])
    after = _counts(_grpc_entry(grpc_client, STATS_MODEL))
    assert after["success"] - before["success"] == 5
    assert after["inference_count"] - before["inference_count"] == 3 * 1 + 2 * 2


@pytest.mark.parametrize("model,version", [(STATS_MODEL, ""), ("simple", "1"), ("simple_versioned", "")])
def test_grpc_and_http_statistics_are_identical(grpc_client, client, model, version):
    _grpc_infer(grpc_client, 2, 7)  # some traffic, so the numbers are not all zero
    # Nothing else talks to the shared server while this test runs, so two
    # reads back to back must agree to the nanosecond.
    from_grpc = grpc_client.get_inference_statistics(model_name=model, model_version=version)
    from_http = _http_as_proto(client, model, version)
    assert from_grpc == from_http, f"gRPC:\n{from_grpc}\nHTTP:\n{from_http}"


def test_statistics_for_all_models_match_http(grpc_client, client):
    from_grpc = grpc_client.get_inference_statistics()
    names = {entry.name for entry in from_grpc.model_stats}
    assert {"simple", "simple_nobatch", STATS_MODEL, "text_detection"} <= names
    assert from_grpc == _http_as_proto(client)


def test_statistics_entry_fields(grpc_client):
    entry = _grpc_entry(grpc_client, "simple", "1")
    assert entry.version == "1"
    for key in ["success", "fail", "queue", "compute_input", "compute_infer", "compute_output"]:
        assert entry.inference_stats.HasField(key), f"inference_stats lacks {key}: {entry}"


def test_statistics_as_json(grpc_client):
    stats = grpc_client.get_inference_statistics("simple", as_json=True)
    entry = stats["model_stats"][0]
    assert entry["name"] == "simple"
    assert "inference_stats" in entry


@pytest.mark.parametrize("model,version", [("no_such_model", ""), ("simple", "7")])
def test_statistics_unknown_model_is_an_error(grpc_client, server, model, version):
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.get_inference_statistics(model_name=model, model_version=version)
    assert raised.value.status() in (str(grpc.StatusCode.NOT_FOUND),
                                     str(grpc.StatusCode.INVALID_ARGUMENT)), raised.value
    assert model in raised.value.message()
    grpc_raw.assert_other_model_still_serves(server)
