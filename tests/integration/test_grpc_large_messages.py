"""Large tensors over gRPC (gRPC's own default limit is 4 MiB; tritonserver
accepts messages up to INT32_MAX, and so must inferd), and what happens
around the size limits: a shape that promises far more data than sent, and
a client that refuses a response bigger than its own limit. After each, the
server still serves."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from models import onnx_builders, repositories
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(120)

MIB = 1024 * 1024
ECHO = "echo_fp32"  # FP32 [-1] -> the same, no batching


@pytest.fixture(scope="module")
def large_server(inferd_binary, tmp_path_factory):
    """A repository with one echo model that takes any length, plus
    identity_fp32 for the "still serves" check."""
    repo = tmp_path_factory.mktemp("large_repo")
    repositories.write_model(repo, ECHO, repositories.model_config(
        ECHO, 0, [repositories.tensor_config("INPUT0", "TYPE_FP32", [-1])],
        [repositories.tensor_config("OUTPUT0", "TYPE_FP32", [-1])]),
        onnx_builders.identity_model("FP32", False, [-1]))
    repositories.write_model(repo, "identity_fp32", repositories.model_config(
        "identity_fp32", 8, [repositories.tensor_config("INPUT0", "TYPE_FP32", [4])],
        [repositories.tensor_config("OUTPUT0", "TYPE_FP32", [4])]),
        onnx_builders.identity_model("FP32", True, [4]))
    inferd = start_or_fail(InferdServer([repo], tmp_path_factory.mktemp("large_server") / "inferd.log",
                                        binary=inferd_binary))
    yield inferd
    inferd.stop()


def _echo_input(values):
    tensor = grpcclient.InferInput("INPUT0", [values.size], "FP32")
    tensor.set_data_from_numpy(values)
    return tensor


@pytest.mark.parametrize("mib", [5, 64])
def test_large_tensor_round_trip(large_server, mib):
    values = np.random.default_rng(mib).standard_normal(mib * MIB // 4).astype(np.float32)
    triton = grpcclient.InferenceServerClient(url=large_server.grpc_url)
    try:
        result = triton.infer(ECHO, [_echo_input(values)], request_id=f"{mib}MiB", client_timeout=90)
        assert result.get_response().id == f"{mib}MiB"
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), values)
    finally:
        triton.close()
    grpc_raw.assert_other_model_still_serves(large_server)


def test_large_tensors_on_a_stream(large_server):
    sizes = [1, 6 * MIB // 4, 16 * MIB // 4, 3]
    sent = {str(i): np.full(n, i + 0.5, dtype=np.float32) for i, n in enumerate(sizes)}
    answers, errors = {}, []

    def callback(result, error):
        if error is not None:
            errors.append(error)
        else:
            answers[result.get_response().id] = result.as_numpy("OUTPUT0")

    triton = grpcclient.InferenceServerClient(url=large_server.grpc_url)
    try:
        triton.start_stream(callback=callback)
        for request_id, values in sent.items():
            triton.async_stream_infer(ECHO, [_echo_input(values)], request_id=request_id)
        triton.stop_stream()
    finally:
        triton.close()
    assert errors == []
    assert set(answers) == set(sent)
    for request_id, values in sent.items():
        np.testing.assert_array_equal(answers[request_id], values)


def test_typed_contents_large(large_server):
    values = np.arange(2 * MIB, dtype=np.float32)  # 8 MiB as fp32_contents
    message = grpc_raw.request(ECHO, [grpc_raw.typed_input("INPUT0", "FP32", values)])
    with grpc_raw.stub(large_server) as service:
        response = service.ModelInfer(message, timeout=90)
    np.testing.assert_array_equal(grpcclient.InferResult(response).as_numpy("OUTPUT0"), values)


def test_shape_promising_far_more_than_sent(large_server):
    # 2^40 elements (4 TiB) declared, 16 bytes sent: refused by size, and
    # no attempt to allocate what the shape promises.
    message = grpc_raw.request(ECHO, [grpc_raw.raw_input("INPUT0", "FP32", [2**40])], raw=[b"\x00" * 16])
    error = grpc_raw.infer_error(large_server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [ECHO, "INPUT0"])
    assert large_server.is_running()
    grpc_raw.assert_other_model_still_serves(large_server)


def test_shape_whose_element_count_overflows(large_server):
    message = grpc_raw.request(ECHO, [grpc_raw.raw_input("INPUT0", "FP32", [2**62])],
                               raw=[b"\x00" * 16])
    error = grpc_raw.infer_error(large_server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [ECHO, "INPUT0"])
    assert large_server.is_running()
    grpc_raw.assert_other_model_still_serves(large_server)


def test_request_above_the_clients_own_limit(large_server):
    """A client that keeps gRPC's 4 MiB send limit cannot send 8 MiB: its
    own library refuses with RESOURCE_EXHAUSTED before the server sees
    anything, and the server is unaffected."""
    triton = grpcclient.InferenceServerClient(
        url=large_server.grpc_url,
        channel_args=[("grpc.max_send_message_length", 4 * MIB),
                      ("grpc.max_receive_message_length", 4 * MIB)])
    try:
        with pytest.raises(InferenceServerException) as raised:
            triton.infer(ECHO, [_echo_input(np.zeros(2 * MIB, dtype=np.float32))], client_timeout=60)
        assert raised.value.status() == str(grpc.StatusCode.RESOURCE_EXHAUSTED), raised.value
        # Small requests on the same channel still work.
        small = np.arange(16, dtype=np.float32)
        np.testing.assert_array_equal(
            triton.infer(ECHO, [_echo_input(small)], client_timeout=30).as_numpy("OUTPUT0"), small)
    finally:
        triton.close()
    grpc_raw.assert_other_model_still_serves(large_server)


def test_response_above_the_clients_receive_limit(large_server):
    """The server computes and sends a 6 MiB answer to a client that only
    accepts 4 MiB: the client gets RESOURCE_EXHAUSTED, the server drops that
    response and carries on."""
    triton = grpcclient.InferenceServerClient(
        url=large_server.grpc_url,
        channel_args=[("grpc.max_send_message_length", 16 * MIB),
                      ("grpc.max_receive_message_length", 4 * MIB)])
    try:
        with pytest.raises(InferenceServerException) as raised:
            triton.infer(ECHO, [_echo_input(np.ones(6 * MIB // 4, dtype=np.float32))], client_timeout=60)
        assert raised.value.status() == str(grpc.StatusCode.RESOURCE_EXHAUSTED), raised.value
    finally:
        triton.close()
    assert large_server.is_running()
    grpc_raw.assert_other_model_still_serves(large_server)
