"""The gRPC robustness table: malformed requests to every RPC, each answered
with the right status code and a message that names the problem, short
enough for the stock client's metadata limit (a 100 KB name must not turn
into RESOURCE_EXHAUSTED), after which the server serves a good request.

Then HTTP/2 abuse on a hand-driven connection (the `h2` library): a rapid
reset flood, a ping flood and more streams than the server allows; gRPC's
own settings keep each in check and other clients are still served.
"""

import socket
import time
from dataclasses import dataclass

import grpc
import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import hpack
import hyperframe.frame
import numpy as np
import pytest
from tritonclient.grpc import service_pb2

import grpc_raw
from grpc_raw import raw_input, request, typed_input
from server_process import binary_is_sanitized

pytestmark = pytest.mark.timeout(90)

MODEL = "simple"  # INPUT0, INPUT1: INT32 [-1,16], max_batch_size 8
MAX_MESSAGE_BYTES = 4096
ROW = np.arange(16, dtype=np.int32).tobytes()
CODE = grpc.StatusCode


@dataclass
class Case:
    id: str
    rpc: str
    message: object
    code: grpc.StatusCode
    words: tuple = ()


def _inputs(first=None, second=None):
    return [first or raw_input("INPUT0", "INT32", [1, 16]), second or raw_input("INPUT1", "INT32", [1, 16])]


def _infer(inputs=None, raw=(ROW, ROW), outputs=(), model=MODEL, version="", **fields):
    message = request(model, _inputs() if inputs is None else inputs, raw=raw, outputs=outputs, version=version)
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def _with(message, edit):
    edit(message)
    return message


def _output_parameter(name, field, value):
    def edit(message):
        setattr(message.outputs[0].parameters[name], field, value)
    return edit


def _bytes_element_stream(*lengths_and_payloads):
    return b"".join(length.to_bytes(4, "little") + payload for length, payload in lengths_and_payloads)


INFER = [
    Case("unknown-model", "ModelInfer", _infer(model="no_such_model"), CODE.NOT_FOUND, ("no_such_model",)),
    Case("model-name-of-100-kb", "ModelInfer", _infer(model="m" * 100000), CODE.NOT_FOUND, ("100000 bytes",)),
    Case("empty-model-name", "ModelInfer", _infer(model=""), CODE.NOT_FOUND, ()),
    Case("version-not-a-number", "ModelInfer", _infer(version="abc"), CODE.INVALID_ARGUMENT, ("abc",)),
    Case("version-negative", "ModelInfer", _infer(version="-1"), CODE.INVALID_ARGUMENT, ("-1",)),
    Case("version-overflow", "ModelInfer", _infer(version="99999999999999999999"), CODE.INVALID_ARGUMENT, ()),
    Case("unknown-version", "ModelInfer", _infer(version="7"), CODE.NOT_FOUND, ("version 7",)),
    Case("no-inputs", "ModelInfer", _infer(inputs=[], raw=()), CODE.INVALID_ARGUMENT, (MODEL, "expected 2 inputs")),
    Case("input-without-name", "ModelInfer", _infer(inputs=_inputs(first=raw_input("", "INT32", [1, 16]))),
         CODE.INVALID_ARGUMENT, (MODEL,)),
    Case("input-without-datatype", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "", [1, 16]))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("unknown-datatype", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "FP99", [1, 16]))),
         CODE.INVALID_ARGUMENT, (MODEL, "FP99")),
    Case("datatype-of-50-kb", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "X" * 50000, [1, 16]))),
         CODE.INVALID_ARGUMENT, (MODEL,)),
    Case("wrong-datatype", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "FP32", [1, 16]))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0", "FP32", "INT32")),
    Case("shape-negative", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "INT32", [1, -16]))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("shape-100000-dims", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "INT32", [1] * 100000))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0", "100000 dimensions")),
    Case("shape-huge", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "INT32", [1, 2**62]))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("shape-empty", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "INT32", []))),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("wrong-shape", "ModelInfer", _infer(inputs=_inputs(first=raw_input("INPUT0", "INT32", [1, 15])),
                                             raw=(ROW[:60], ROW)), CODE.INVALID_ARGUMENT,
         (MODEL, "INPUT0", "unexpected shape")),
    Case("batch-over-max", "ModelInfer", _infer(inputs=_inputs(raw_input("INPUT0", "INT32", [9, 16]),
                                                               raw_input("INPUT1", "INT32", [9, 16])),
                                                raw=(ROW * 9, ROW * 9)), CODE.INVALID_ARGUMENT,
         (MODEL, "batch-size must be <= 8")),
    Case("raw-too-short", "ModelInfer", _infer(raw=(ROW[:32], ROW)), CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("raw-too-long", "ModelInfer", _infer(raw=(ROW * 2, ROW)), CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("more-raw-than-inputs", "ModelInfer", _infer(raw=(ROW, ROW, ROW)), CODE.INVALID_ARGUMENT, (MODEL,)),
    Case("fewer-raw-than-inputs", "ModelInfer", _infer(raw=(ROW,)), CODE.INVALID_ARGUMENT, (MODEL, "INPUT1")),
    Case("contents-and-raw", "ModelInfer",
         _infer(inputs=_inputs(first=typed_input("INPUT0", "INT32", np.arange(16, dtype=np.int32).reshape(1, 16)))),
         CODE.INVALID_ARGUMENT, ("contents field must not be specified", "INPUT0")),
    Case("typed-wrong-count", "ModelInfer",
         _infer(inputs=[_with(typed_input("INPUT0", "INT32", np.arange(16, dtype=np.int32).reshape(1, 16)),
                              lambda t: t.contents.int_contents.append(99)),
                        typed_input("INPUT1", "INT32", np.arange(16, dtype=np.int32).reshape(1, 16))], raw=()),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("typed-wrong-field", "ModelInfer",
         _infer(inputs=[_with(raw_input("INPUT0", "INT32", [1, 16]),
                              lambda t: t.contents.fp32_contents.extend([0.5] * 16)),
                        typed_input("INPUT1", "INT32", np.arange(16, dtype=np.int32).reshape(1, 16))], raw=()),
         CODE.INVALID_ARGUMENT, (MODEL, "INPUT0")),
    Case("duplicate-input", "ModelInfer", _infer(inputs=_inputs(second=raw_input("INPUT0", "INT32", [1, 16]))),
         CODE.INVALID_ARGUMENT, ("INPUT0", "more than once")),
    Case("unknown-input", "ModelInfer", _infer(inputs=_inputs() + [raw_input("EXTRA", "INT32", [1, 16])],
                                               raw=(ROW, ROW, ROW)), CODE.INVALID_ARGUMENT, (MODEL, "EXTRA")),
    Case("input-name-of-100-kb", "ModelInfer",
         _infer(inputs=_inputs(second=raw_input("I" * 100000, "INT32", [1, 16]))), CODE.INVALID_ARGUMENT,
         (MODEL, "100000 bytes")),
    Case("10000-inputs", "ModelInfer", _infer(inputs=[raw_input(f"IN{i}", "INT32", [1, 1]) for i in range(10000)],
                                              raw=[b"\0" * 4] * 10000), CODE.INVALID_ARGUMENT, (MODEL,)),
    Case("unknown-output", "ModelInfer", _infer(outputs=["NOPE"]), CODE.INVALID_ARGUMENT, (MODEL, "NOPE")),
    Case("duplicate-output", "ModelInfer", _infer(outputs=["OUTPUT0", "OUTPUT0"]), CODE.INVALID_ARGUMENT,
         ("OUTPUT0", "more than once")),
    Case("output-name-of-100-kb", "ModelInfer", _infer(outputs=["O" * 100000]), CODE.INVALID_ARGUMENT,
         (MODEL, "100000 bytes")),
    Case("shared-memory-input", "ModelInfer",
         _with(_infer(), lambda m: setattr(m.inputs[0].parameters["shared_memory_region"], "string_param", "r")),
         CODE.UNIMPLEMENTED, (MODEL, "INPUT0", "shared-memory")),
    Case("shared-memory-output", "ModelInfer",
         _with(_infer(outputs=["OUTPUT0"]), _output_parameter("shared_memory_region", "string_param", "r")),
         CODE.UNIMPLEMENTED, (MODEL, "OUTPUT0", "shared-memory")),
    Case("parameter-without-value", "ModelInfer",
         _with(_infer(), lambda m: m.parameters["priority"].SetInParent()), CODE.INVALID_ARGUMENT,
         (MODEL, "priority")),
    Case("classification-not-int", "ModelInfer",
         _with(_infer(outputs=["OUTPUT0"]), _output_parameter("classification", "string_param", "x")),
         CODE.INVALID_ARGUMENT, (MODEL, "classification")),
    Case("fp16-as-typed-contents", "ModelInfer",
         request("identity_fp16", [_with(raw_input("INPUT0", "FP16", [1, 4]),
                                         lambda t: t.contents.fp32_contents.extend([1.0] * 4))]),
         CODE.INVALID_ARGUMENT, ("identity_fp16", "INPUT0")),
    Case("bytes-length-prefix-beyond-buffer", "ModelInfer",
         request("identity_bytes", [raw_input("INPUT0", "BYTES", [1, 4])],
                 raw=[_bytes_element_stream((1000, b"abc"))]), CODE.INVALID_ARGUMENT, ("identity_bytes", "INPUT0")),
    Case("bytes-truncated-prefix", "ModelInfer",
         request("identity_bytes", [raw_input("INPUT0", "BYTES", [1, 4])], raw=[b"\x01\x00"]),
         CODE.INVALID_ARGUMENT, ("identity_bytes", "INPUT0")),
    Case("bytes-too-few-elements", "ModelInfer",
         request("identity_bytes", [raw_input("INPUT0", "BYTES", [1, 4])],
                 raw=[_bytes_element_stream((1, b"a"), (1, b"b"))]), CODE.INVALID_ARGUMENT,
         ("identity_bytes", "INPUT0")),
]

OTHER_RPCS = [
    Case("metadata-unknown-model", "ModelMetadata", service_pb2.ModelMetadataRequest(name="no_such_model"),
         CODE.NOT_FOUND, ("no_such_model",)),
    Case("metadata-name-of-100-kb", "ModelMetadata", service_pb2.ModelMetadataRequest(name="m" * 100000),
         CODE.NOT_FOUND, ("100000 bytes",)),
    Case("metadata-bad-version", "ModelMetadata", service_pb2.ModelMetadataRequest(name=MODEL, version="x1"),
         CODE.INVALID_ARGUMENT, ("x1",)),
    Case("config-unknown-model", "ModelConfig", service_pb2.ModelConfigRequest(name="no_such_model"),
         CODE.NOT_FOUND, ("no_such_model",)),
    Case("config-unknown-version", "ModelConfig", service_pb2.ModelConfigRequest(name=MODEL, version="9"),
         CODE.NOT_FOUND, ("version 9",)),
    Case("ready-bad-version", "ModelReady", service_pb2.ModelReadyRequest(name=MODEL, version="-3"),
         CODE.INVALID_ARGUMENT, ("-3",)),
    Case("statistics-unknown-model", "ModelStatistics", service_pb2.ModelStatisticsRequest(name="no_such_model"),
         CODE.NOT_FOUND, ("no_such_model",)),
    Case("statistics-name-of-100-kb", "ModelStatistics", service_pb2.ModelStatisticsRequest(name="s" * 100000),
         CODE.NOT_FOUND, ("100000 bytes",)),
    Case("shared-memory-register", "SystemSharedMemoryRegister",
         service_pb2.SystemSharedMemoryRegisterRequest(name="r", key="/k", byte_size=64), CODE.UNIMPLEMENTED, ()),
    Case("cuda-shared-memory-register", "CudaSharedMemoryRegister",
         service_pb2.CudaSharedMemoryRegisterRequest(name="r", byte_size=64), CODE.UNIMPLEMENTED, ()),
]

TABLE = INFER + OTHER_RPCS


def test_the_table_is_as_large_as_promised():
    assert len(TABLE) >= 40
    assert len({case.id for case in TABLE}) == len(TABLE)


@pytest.mark.parametrize("case", TABLE, ids=[case.id for case in TABLE])
def test_malformed_call(server, case):
    with grpc_raw.stub(server) as service:
        with pytest.raises(grpc.RpcError) as raised:
            getattr(service, case.rpc)(case.message, timeout=60)
    message = grpc_raw.assert_code_and_words(raised.value, case.code, case.words)
    assert len(message.encode()) < MAX_MESSAGE_BYTES, f"{len(message)}-byte message"
    grpc_raw.assert_other_model_still_serves(server)


# HTTP/2 abuse, on a connection driven by hand.

INFER_HEADERS = [(":method", "POST"), (":scheme", "http"), (":path", "/inference.GRPCInferenceService/ModelInfer"),
                 (":authority", "127.0.0.1"), ("content-type", "application/grpc"), ("te", "trailers")]


class RawHttp2:
    """A client HTTP/2 connection to the gRPC port."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.h2.initiate_connection()
        self.flush()
        self.events = []

    def flush(self):
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def read_until(self, predicate, timeout_s=10):
        """Reads events until `predicate(events)` or the connection ends;
        returns whether the predicate held."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(self.events):
                return True
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return predicate(self.events)
            if not data:
                return predicate(self.events)
            try:
                self.events += self.h2.receive_data(data)
            except h2.exceptions.ProtocolError:
                return predicate(self.events)
            try:
                self.flush()
            except OSError:
                return predicate(self.events)
        return predicate(self.events)

    def server_settings(self):
        for event in self.events:
            if isinstance(event, h2.events.RemoteSettingsChanged):
                return {key: value.new_value for key, value in event.changed_settings.items()}
        return {}

    def close(self):
        self.sock.close()


def _goaway(events):
    return any(isinstance(e, h2.events.ConnectionTerminated) for e in events)


def _read_frames(sock, wanted, timeout_s=10):
    """Reads raw HTTP/2 frames until `wanted(frames)` holds or the peer
    closes; returns the frames."""
    frames, buffer = [], b""
    deadline = time.monotonic() + timeout_s
    while not wanted(frames) and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            break
        if not data:
            break
        buffer += data
        while len(buffer) >= 9:
            frame, length = hyperframe.frame.Frame.parse_frame_header(memoryview(buffer[:9]))
            if len(buffer) < 9 + length:
                break
            frame.parse_body(memoryview(buffer[9:9 + length]))
            frames.append(frame)
            buffer = buffer[9 + length:]
    return frames


def test_server_advertises_its_stream_limit_and_refuses_streams_past_it(server):
    """The h2 library will not open more streams than the server allows, so
    the frames are written by hand: 200 calls opened at once, no message
    sent on any; none past the limit is started."""
    connection = RawHttp2(server.grpc_port)
    try:
        assert connection.read_until(lambda events: connection.server_settings())
        assert connection.server_settings().get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS) == 128
        encoder = hpack.Encoder()
        frames = b"".join(
            hyperframe.frame.HeadersFrame(1 + 2 * index, data=encoder.encode(INFER_HEADERS),
                                          flags=["END_HEADERS"]).serialize()
            for index in range(200))
        connection.sock.sendall(frames)
        answered = _read_frames(connection.sock, lambda got: len(got) >= 2 * 128, timeout_s=5)
        last_allowed = 1 + 2 * 127
        # No call past the limit is ever started: a frame for one may only
        # refuse it. (gRPC 1.51 answers the flood by failing the calls it had
        # accepted, "Failed parsing HTTP/2"; newer ones refuse the excess.)
        assert answered, "the server took 200 streams over its limit of 128 without a word"
        beyond = [f for f in answered if f.stream_id > last_allowed]
        assert all(isinstance(f, hyperframe.frame.RstStreamFrame) and
                   f.error_code == h2.errors.ErrorCodes.REFUSED_STREAM for f in beyond), beyond[:3]
    finally:
        connection.close()
    grpc_raw.assert_other_model_still_serves(server)


def test_rapid_reset_flood_leaves_the_server_serving(server):
    connection = RawHttp2(server.grpc_port)
    sent = 0
    try:
        connection.read_until(lambda events: connection.server_settings())
        connection.h2.remote_settings.max_concurrent_streams = 2**31 - 1
        start = time.monotonic()
        for index in range(20000):
            stream = 1 + 2 * index
            connection.h2.send_headers(stream, INFER_HEADERS)
            connection.h2.reset_stream(stream)
            if index % 100 == 99:
                try:
                    connection.flush()
                except OSError:
                    break  # the server cut the connection: also a way to keep it in check
                sent = index + 1
            if time.monotonic() - start > 20:
                break
    finally:
        connection.close()
    assert sent > 0
    started = time.monotonic()
    grpc_raw.assert_other_model_still_serves(server)
    # A bound, not a speed test: a server stuck behind the flood would take the
    # call's whole deadline. Sanitized builds run our code several times slower.
    bound = 15 if binary_is_sanitized(server.binary) else 5
    assert time.monotonic() - started < bound, "a normal call waited behind the flood"


def test_ping_flood_is_cut_off(server):
    """With no calls in flight, pings closer than
    --grpc-http2-min-recv-ping-interval-without-data are strikes; past
    --grpc-http2-max-ping-strikes the server sends GOAWAY."""
    connection = RawHttp2(server.grpc_port)
    try:
        connection.read_until(lambda events: connection.server_settings())
        for index in range(1000):
            connection.h2.ping(index.to_bytes(8, "big"))
            try:
                connection.flush()
            except OSError:
                break
        assert connection.read_until(_goaway), "no GOAWAY after a ping flood"
        terminated = next(e for e in connection.events if isinstance(e, h2.events.ConnectionTerminated))
        assert terminated.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    finally:
        connection.close()
    grpc_raw.assert_other_model_still_serves(server)
