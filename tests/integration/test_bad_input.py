"""Bad requests get a clear 4xx with a KServe `{"error": "..."}` body that
names the model and tensor, and the server keeps serving afterwards: every
test ends with a good request to a different model."""

import json

import numpy as np
import pytest

import http_raw
from http_raw import binary_input, infer_path, json_input

pytestmark = pytest.mark.timeout(60)

MODEL = "simple"  # INPUT0, INPUT1: INT32 dims [16], max_batch_size 8
GOOD_VALUES = list(range(16))


def int32_bytes(count):
    return np.arange(count, dtype=np.int32).tobytes()


def assert_rejected(server, response, status=400, must_mention=(MODEL,)):
    assert response.status == status, (
        f"expected HTTP {status}, got {response.status}: {response.body[:500]!r}")
    message = response.error_text()
    for word in must_mention:
        assert word in message, f"error {message!r} does not mention {word!r}"
    http_raw.assert_other_model_still_serves(server)
    return message


@pytest.mark.parametrize("body", [b'{"inputs": [', b"not json at all", b"", b"[1, 2, 3]"],
                         ids=["truncated", "garbage", "empty", "not-an-object"])
def test_malformed_json(server, body):
    response = http_raw.request(server, "POST", infer_path(MODEL), body,
                                {"Content-Type": "application/json"})
    assert_rejected(server, response)


def test_wrong_datatype(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "FP32", [1, 16], [float(v) for v in GOOD_VALUES]),
        json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0", "INT32", "FP32"))


def test_unknown_datatype_name(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "INT33", [1, 16], GOOD_VALUES),
        json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INT33"))


def test_wrong_shape(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "INT32", [1, 8], GOOD_VALUES[:8]),
        json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0"))


def test_wrong_rank_for_unbatched_model(server):
    response = http_raw.post_json(server, infer_path("simple_nobatch"), {"inputs": [
        json_input("INPUT0", "FP32", [1, 2, 4], [0.0] * 8),
        json_input("INPUT1", "FP32", [1, 2, 4], [0.0] * 8)]})
    assert_rejected(server, response, must_mention=("simple_nobatch", "INPUT0"))


def test_wrong_element_count_json(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "INT32", [1, 16], GOOD_VALUES[:15]),
        json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0"))


def test_wrong_json_value_type(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "INT32", [1, 16], ["seven"] * 16),
        json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0"))


def test_wrong_element_count_binary(server):
    # binary_data_size matches the bytes sent, but 15 INT32 are not [1, 16].
    header = {"inputs": [binary_input("INPUT0", "INT32", [1, 16], 60),
                         json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]}
    response = http_raw.post_binary(server, infer_path(MODEL), header, [int32_bytes(15)])
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0"))


def test_binary_data_size_larger_than_body(server):
    header = {"inputs": [binary_input("INPUT0", "INT32", [1, 16], 64),
                         json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]}
    response = http_raw.post_binary(server, infer_path(MODEL), header, [int32_bytes(8)])
    assert_rejected(server, response, must_mention=(MODEL, "INPUT0"))


def test_binary_data_size_smaller_than_body(server):
    # 64 bytes announced, 64 + 16 sent: the extra bytes belong to no tensor.
    header = {"inputs": [binary_input("INPUT0", "INT32", [1, 16], 64),
                         json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]}
    response = http_raw.post_binary(server, infer_path(MODEL), header,
                                    [int32_bytes(16), b"\x00" * 16])
    assert_rejected(server, response)


def test_header_length_beyond_body(server):
    header = {"inputs": [binary_input("INPUT0", "INT32", [1, 16], 64),
                         json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]}
    header_size = len(json.dumps(header).encode())
    response = http_raw.post_binary(server, infer_path(MODEL), header, [int32_bytes(16)],
                                    header_length=header_size + 64 + 100)
    assert_rejected(server, response)


def test_header_length_not_a_number(server):
    header = {"inputs": [binary_input("INPUT0", "INT32", [1, 16], 64),
                         json_input("INPUT1", "INT32", [1, 16], GOOD_VALUES)]}
    body = json.dumps(header).encode() + int32_bytes(16)
    response = http_raw.request(server, "POST", infer_path(MODEL), body, {
        "Content-Type": "application/octet-stream", http_raw.HEADER_LENGTH: "twelve"})
    assert_rejected(server, response, must_mention=())


def test_missing_input(server):
    response = http_raw.post_json(server, infer_path(MODEL), {"inputs": [
        json_input("INPUT0", "INT32", [1, 16], GOOD_VALUES)]})
    assert_rejected(server, response, must_mention=(MODEL, "INPUT1"))


def test_unknown_input(server):
    body = http_raw.simple_inputs_json()
    body["inputs"].append(json_input("INPUT9", "INT32", [1, 16], GOOD_VALUES))
    response = http_raw.post_json(server, infer_path(MODEL), body)
    assert_rejected(server, response, must_mention=(MODEL, "INPUT9"))


def test_unknown_requested_output(server):
    body = http_raw.simple_inputs_json()
    body["outputs"] = [{"name": "OUTPUT7"}]
    response = http_raw.post_json(server, infer_path(MODEL), body)
    assert_rejected(server, response, must_mention=(MODEL, "OUTPUT7"))


def test_unknown_model_is_404(server):
    response = http_raw.post_json(server, infer_path("no_such_model"), http_raw.simple_inputs_json())
    assert_rejected(server, response, status=404, must_mention=("no_such_model",))


def test_unknown_version_is_404(server):
    response = http_raw.post_json(server, infer_path(MODEL, 9), http_raw.simple_inputs_json())
    assert_rejected(server, response, status=404, must_mention=(MODEL, "9"))


@pytest.mark.parametrize("version", ["abc", "1.5"])
def test_non_numeric_version_in_url(server, version):
    response = http_raw.post_json(server, f"/v2/models/{MODEL}/versions/{version}/infer",
                                  http_raw.simple_inputs_json())
    assert 400 <= response.status < 500, response.body
    assert version in response.error_text()
    http_raw.assert_other_model_still_serves(server)


def test_unknown_route_is_404(server):
    response = http_raw.request(server, "GET", "/v2/no/such/route")
    assert response.status == 404
    response.error_text()


@pytest.mark.timeout(90)
def test_oversized_body_is_refused(server_factory, test_repo):
    limit = 4096
    inferd = server_factory.start([test_repo], ["--http-max-input-size", str(limit)])
    # A small request still works under the limit...
    http_raw.assert_other_model_still_serves(inferd)
    # ...a body 16x the limit does not.
    size = 16 * limit
    header = {"inputs": [binary_input("INPUT0", "FP32", [1, size // 4], size)]}
    body = json.dumps(header).encode() + b"\x00" * size
    response = http_raw.request(inferd, "POST", infer_path("identity_fp32"), body, {
        "Content-Type": "application/octet-stream",
        http_raw.HEADER_LENGTH: str(len(json.dumps(header).encode()))})
    assert response.status in (400, 413), f"got {response.status}: {response.body[:300]!r}"
    response.error_text()
    http_raw.assert_other_model_still_serves(inferd)
    assert inferd.is_running()
