"""Raw gRPC for what the stock client will not send: typed `contents`
instead of `raw_input_contents`, lying raw sizes, mixed tensors.

The stock `tritonclient.grpc` always sends `raw_input_contents`; other KServe
v2 clients (and hand-written ones) send typed `InferTensorContents`, whose
field depends on the datatype. Both must work.
"""

import contextlib

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

# The stock client's limits (INT32_MAX both ways), so the raw stub sees the
# same server behaviour as tritonclient does.
MAX_MESSAGE = 2**31 - 1
CHANNEL_OPTIONS = [("grpc.max_send_message_length", MAX_MESSAGE),
                   ("grpc.max_receive_message_length", MAX_MESSAGE)]

# KServe datatype -> the InferTensorContents field that carries it typed.
# FP16 and BF16 have no typed field: they travel only as raw bytes.
TYPED_FIELD = {
    "BOOL": "bool_contents",
    "INT8": "int_contents", "INT16": "int_contents", "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents", "UINT16": "uint_contents", "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}


@contextlib.contextmanager
def stub(server):
    """A GRPCInferenceServiceStub on its own channel to `server`."""
    channel = grpc.insecure_channel(server.grpc_url, options=CHANNEL_OPTIONS)
    try:
        yield service_pb2_grpc.GRPCInferenceServiceStub(channel)
    finally:
        channel.close()


def typed_input(name, datatype, array):
    """An InferInputTensor carrying `array` in its typed contents field."""
    tensor = service_pb2.ModelInferRequest.InferInputTensor(
        name=name, datatype=datatype, shape=list(array.shape))
    values = array.flatten().tolist()
    if datatype == "BYTES":
        values = [v if isinstance(v, bytes) else str(v).encode() for v in values]
    getattr(tensor.contents, TYPED_FIELD[datatype]).extend(values)
    return tensor


def raw_input(name, datatype, shape):
    """An InferInputTensor whose bytes go in raw_input_contents."""
    return service_pb2.ModelInferRequest.InferInputTensor(
        name=name, datatype=datatype, shape=list(shape))


def request(model, inputs, raw=(), outputs=(), version="", request_id=""):
    message = service_pb2.ModelInferRequest(model_name=model, model_version=version, id=request_id)
    message.inputs.extend(inputs)
    message.raw_input_contents.extend(raw)
    for name in outputs:
        message.outputs.add(name=name)
    return message


def simple_request(batch=1, request_id=""):
    """A valid raw request for examples/simple (INT32 [batch,16] x 2)."""
    data = np.arange(16 * batch, dtype=np.int32).reshape(batch, 16)
    return request("simple", [raw_input("INPUT0", "INT32", data.shape),
                              raw_input("INPUT1", "INT32", data.shape)],
                   raw=[data.tobytes(), data.tobytes()], request_id=request_id)


def infer_error(server, message):
    """Sends `message` with the raw stub; it must fail. Returns the RpcError."""
    with stub(server) as service:
        with pytest.raises(grpc.RpcError) as raised:
            service.ModelInfer(message, timeout=60)
    return raised.value


def assert_code_and_words(error, code, words):
    """`error` (grpc.RpcError or InferenceServerException) has the gRPC
    status `code` and a message naming every one of `words`."""
    if isinstance(error, InferenceServerException):
        actual_code, message = error.status(), error.message()
        assert actual_code == str(code), f"expected {code}, got {actual_code}: {message!r}"
    else:
        actual_code, message = error.code(), error.details()
        assert actual_code == code, f"expected {code}, got {actual_code}: {message!r}"
    assert message and message.strip(), "error message is empty"
    for word in words:
        assert word in message, f"error {message!r} does not mention {word!r}"
    return message


def assert_other_model_still_serves(server):
    """After a bad request, a good gRPC request to a different model works:
    one broken request never poisons the server or the gRPC service."""
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        data = np.arange(8, dtype=np.float32).reshape(2, 4) * 1.5
        tensor = grpcclient.InferInput("INPUT0", list(data.shape), "FP32")
        tensor.set_data_from_numpy(data)
        result = triton.infer("identity_fp32", [tensor], client_timeout=60)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data)
    finally:
        triton.close()
