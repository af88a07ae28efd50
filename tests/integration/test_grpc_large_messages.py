"""Large tensors over gRPC (gRPC's own default limit is 4 MiB; inferd takes
messages as large as --http-max-input-size, 64 MiB, unless
--grpc-max-input-size says otherwise), and what happens around the size
limits: a message over the server's limit, one far over it (refused without
being buffered), a shape that promises far more data than sent, and a client
that refuses a response bigger than its own limit. After each, the server
still serves."""

import time

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from models import onnx_builders, repositories
from server_process import InferdServer, binary_is_sanitized, resident_mib, start_or_fail

pytestmark = pytest.mark.timeout(120)

MIB = 1024 * 1024
ECHO = "echo_fp32"  # FP32 [-1] -> the same, no batching


@pytest.fixture(scope="module")
def large_server(inferd_binary, tmp_path_factory):
    """A repository with one echo model that takes any length, plus
    identity_fp32 for the "still serves" check."""
    repo = tmp_path_factory.mktemp("large_repo")
    _write_models(repo)
    inferd = start_or_fail(InferdServer([repo], tmp_path_factory.mktemp("large_server") / "inferd.log",
                                        binary=inferd_binary))
    yield inferd
    inferd.stop()


def _echo_input(values):
    tensor = grpcclient.InferInput("INPUT0", [values.size], "FP32")
    tensor.set_data_from_numpy(values)
    return tensor


def _write_models(repo):
    repositories.write_echo_model(repo, ECHO)
    repositories.write_model(repo, "identity_fp32", repositories.model_config(
        "identity_fp32", 8, [repositories.tensor_config("INPUT0", "TYPE_FP32", [4])],
        [repositories.tensor_config("OUTPUT0", "TYPE_FP32", [4])]),
        onnx_builders.identity_model("FP32", True, [4]))


def _raw_echo_message(byte_count):
    return grpc_raw.request(ECHO, [grpc_raw.raw_input("INPUT0", "FP32", [byte_count // 4])],
                            raw=[bytes(byte_count)])


@pytest.mark.parametrize("mib", [5, 60])
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


def test_message_over_the_limit_is_refused_with_both_sizes(large_server):
    error = grpc_raw.infer_error(large_server, _raw_echo_message(70 * MIB))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    assert "larger than max" in error.details() and str(64 * MIB) in error.details(), error.details()
    grpc_raw.assert_other_model_still_serves(large_server)


def _start_large_server(server_factory, tmp_path, *flags):
    repo = tmp_path / f"repo{len(server_factory.servers)}"
    _write_models(repo)
    return server_factory.start([repo], list(flags))


def test_the_limit_follows_http_and_grpc_max_input_size(server_factory, tmp_path):
    follows_http = _start_large_server(server_factory, tmp_path, "--http-max-input-size=4194304")
    error = grpc_raw.infer_error(follows_http, _raw_echo_message(5 * MIB))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    own_limit = _start_large_server(server_factory, tmp_path, "--http-max-input-size=4194304",
                                    "--grpc-max-input-size=8388608")
    with grpc_raw.stub(own_limit) as service:
        response = service.ModelInfer(_raw_echo_message(5 * MIB), timeout=60)
    assert len(response.raw_output_contents[0]) == 5 * MIB


def test_a_message_far_over_the_limit_is_refused_before_it_is_buffered(server_factory, tmp_path, inferd_binary):
    """300 MiB against the 64 MiB limit: gRPC resets the stream once its
    transport quota (twice the limit) is spent, instead of holding all of
    it; the server's peak memory grows by less than 150 MiB, and it returns
    to within 20% (or 32 MiB) of where it was once the burst is over."""
    if binary_is_sanitized(inferd_binary):
        pytest.skip("sanitizer allocators keep freed memory in quarantine")
    server = _start_large_server(server_factory, tmp_path)
    grpc_raw.assert_other_model_still_serves(server)
    before = resident_mib(server.process.pid)
    error = grpc_raw.infer_error(server, _raw_echo_message(300 * MIB))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    peak = resident_mib(server.process.pid, "VmHWM")
    assert peak - before < 150, f"peak {peak:.0f} MiB from {before:.0f} MiB"
    grpc_raw.assert_other_model_still_serves(server)
    # Of the 300 MiB, a few MiB of gRPC's own buffers and allocator caches
    # may stay (12 MiB over a 50 MiB start was seen once in CI): the bound is
    # 20% or 32 MiB over the start, whichever is larger.
    settled = max(before * 1.2, before + 32)
    deadline = time.monotonic() + 15
    while resident_mib(server.process.pid) > settled and time.monotonic() < deadline:
        time.sleep(0.5)
    assert resident_mib(server.process.pid) <= settled
