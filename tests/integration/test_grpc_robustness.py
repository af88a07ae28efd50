"""The gRPC service under things clients do wrong or abruptly: garbage
bytes instead of a protobuf, unknown methods, cancelled calls and streams,
deadlines; the tritonserver options (keepalive, response compression,
--allow-grpc=false); and a clean SIGTERM with a stream open."""

import socket
import threading
import time

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2
from tritonclient.utils import InferenceServerException

import grpc_raw
from test_grpc_infer import simple_data, simple_inputs

pytestmark = pytest.mark.timeout(90)

SERVICE = "/inference.GRPCInferenceService/"


def _raw_bytes_call(server, method, payload):
    """Calls `method` with `payload` as the serialized request, bypassing
    protobuf on the client side; returns (response bytes or None, error)."""
    channel = grpc.insecure_channel(server.grpc_url, options=grpc_raw.CHANNEL_OPTIONS)
    try:
        call = channel.unary_unary(SERVICE + method, request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
        try:
            return call(payload, timeout=30), None
        except grpc.RpcError as error:
            return None, error
    finally:
        channel.close()


@pytest.mark.parametrize("payload", [b"\xff\xff\xff\xff\x0f garbage", b"\x0a\xff\xff\xff\xff\x0f",
                                     b"\x2a\x05\x0a\x03ab"],
                         ids=["not-protobuf", "length-beyond-end", "truncated-input"])
def test_unparseable_request_is_refused(server, payload):
    response, error = _raw_bytes_call(server, "ModelInfer", payload)
    assert error is not None, f"garbage was answered with {response!r}"
    assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL,
                            grpc.StatusCode.UNIMPLEMENTED), (error.code(), error.details())
    grpc_raw.assert_other_model_still_serves(server)


def test_empty_infer_request_is_refused_with_a_message(server):
    response, error = _raw_bytes_call(server, "ModelInfer", b"")
    assert error is not None, f"an empty request was answered with {response!r}"
    assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), error
    assert error.details().strip()
    grpc_raw.assert_other_model_still_serves(server)


def test_unknown_method_is_unimplemented(server):
    _, error = _raw_bytes_call(server, "NoSuchMethod", b"")
    assert error is not None and error.code() == grpc.StatusCode.UNIMPLEMENTED, error
    grpc_raw.assert_other_model_still_serves(server)


def test_request_headers_are_accepted(grpc_client):
    a, b = simple_data(seed=1)
    result = grpc_client.infer("simple", simple_inputs(a, b), headers={"x-test-header": "yes"})
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + b)


def test_cancelled_async_calls_leave_the_server_serving(grpc_client, server):
    contexts = []
    for i in range(20):
        a, b = simple_data(seed=100 + i, batch=8)
        contexts.append(grpc_client.async_infer("simple", simple_inputs(a, b),
                                                callback=lambda result, error: None))
    for context in contexts:
        context.cancel()
    grpc_raw.assert_other_model_still_serves(server)
    assert server.is_running()


def test_cancelled_stream_leaves_the_server_serving(server):
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        triton.start_stream(callback=lambda result, error: None)
        for i in range(30):
            a, b = simple_data(seed=200 + i, batch=8)
            triton.async_stream_infer("simple", simple_inputs(a, b), request_id=str(i))
        triton.stop_stream(cancel_requests=True)
    finally:
        triton.close()
    grpc_raw.assert_other_model_still_serves(server)
    assert server.is_running()


def test_abandoned_stream_and_closed_socket(server):
    """A client that opens a stream, sends half a request's worth of HTTP/2
    and disappears (socket closed): the server must shrug it off."""
    with socket.create_connection(("127.0.0.1", server.grpc_port), timeout=5) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x12\x04\x00\x00\x00\x00\x00")
    channel = grpc.insecure_channel(server.grpc_url)
    stream = grpcclient.service_pb2_grpc.GRPCInferenceServiceStub(channel).ModelStreamInfer(
        iter([grpc_raw.simple_request(request_id="x")]), timeout=30)
    assert next(stream).infer_response.id == "x"
    channel.close()  # no half-close, no cancel: just gone
    grpc_raw.assert_other_model_still_serves(server)


def test_expired_deadline_gets_deadline_exceeded(grpc_client, server):
    # A 4.7 MB image through the detection model cannot be sent, run and
    # answered within 1 ms, so the deadline expires wherever the call is.
    image = np.zeros((1, 640, 640, 3), dtype=np.float32)
    tensor = grpcclient.InferInput("input_images:0", list(image.shape), "FP32")
    tensor.set_data_from_numpy(image)
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.infer("text_detection", [tensor], client_timeout=0.001)
    assert raised.value.status() == str(grpc.StatusCode.DEADLINE_EXCEEDED), raised.value
    grpc_raw.assert_other_model_still_serves(server)


@pytest.mark.timeout(120)
def test_tritonserver_grpc_options_are_honoured(server_factory, test_repo):
    inferd = server_factory.start([test_repo], [
        "--grpc-infer-response-compression-level", "high",
        "--grpc-keepalive-time", "1000", "--grpc-keepalive-timeout", "5000",
        "--grpc-keepalive-permit-without-calls=true",
        "--grpc-http2-max-pings-without-data", "0",
        "--grpc-http2-min-recv-ping-interval-without-data", "500",
        "--grpc-http2-max-ping-strikes", "0",
        "--grpc-infer-thread-count", "1"])
    keepalive = grpcclient.KeepAliveOptions(keepalive_time_ms=1000, keepalive_timeout_ms=5000,
                                            keepalive_permit_without_calls=True,
                                            http2_max_pings_without_data=0)
    triton = grpcclient.InferenceServerClient(url=inferd.grpc_url, keepalive_options=keepalive)
    try:
        data = np.linspace(-1, 1, 8 * 4, dtype=np.float32).reshape(8, 4)
        tensor = grpcclient.InferInput("INPUT0", [8, 4], "FP32")
        tensor.set_data_from_numpy(data)
        # Compressed responses decode to the same numbers.
        np.testing.assert_array_equal(triton.infer("identity_fp32", [tensor]).as_numpy("OUTPUT0"), data)
        # An idle connection with keepalive pings every second stays usable.
        time.sleep(3)
        np.testing.assert_array_equal(triton.infer("identity_fp32", [tensor]).as_numpy("OUTPUT0"), data)
    finally:
        triton.close()
    assert inferd.is_running()


@pytest.mark.timeout(120)
def test_allow_grpc_false_serves_http_only(server_factory, test_repo):
    inferd = server_factory.start([test_repo], ["--allow-grpc=false"])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", inferd.grpc_port), timeout=2).close()
    from http_raw import assert_other_model_still_serves
    assert_other_model_still_serves(inferd)


@pytest.mark.timeout(120)
def test_sigterm_with_open_stream_and_calls_in_flight_exits_cleanly(server_factory, test_repo):
    inferd = server_factory.start([test_repo])
    triton = grpcclient.InferenceServerClient(url=inferd.grpc_url)
    errors, answered = [], threading.Event()

    def callback(result, error):
        if error is not None:
            errors.append(error)
        answered.set()

    try:
        triton.start_stream(callback=callback)
        data = np.ones((1, 4), dtype=np.float32)
        tensor = grpcclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(data)
        triton.async_stream_infer("identity_fp32", [tensor], request_id="before-stop")
        assert answered.wait(30), "no answer on the stream before SIGTERM"
        assert errors == []
        # The stream is still open (no half-close) when the server is told to stop.
        started = time.monotonic()
        exit_code = inferd.stop()
        assert exit_code == 0, f"inferd exited {exit_code} on SIGTERM with a stream open\n{inferd.log_tail()}"
        assert time.monotonic() - started < 14, "inferd needed the SIGKILL fallback to stop"
    finally:
        triton.stop_stream(cancel_requests=True)
        triton.close()
