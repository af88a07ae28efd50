"""Bad requests over gRPC get the status code that mirrors HTTP's answer to
the same request (400 -> INVALID_ARGUMENT, 404 -> NOT_FOUND, ...) and the
same message, naming the model, the tensor and what was expected; the server
keeps serving afterwards: every test ends with a good request."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from grpc_raw import raw_input, typed_input

pytestmark = pytest.mark.timeout(60)

MODEL = "simple"  # INPUT0, INPUT1: INT32 dims [16], max_batch_size 8
HTTP_TO_GRPC = {
    "400": grpc.StatusCode.INVALID_ARGUMENT,
    "404": grpc.StatusCode.NOT_FOUND,
    "429": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "500": grpc.StatusCode.INTERNAL,
    "501": grpc.StatusCode.UNIMPLEMENTED,
    "503": grpc.StatusCode.UNAVAILABLE,
}


def _infer_both(server, model, tensors, version="", outputs=None):
    """Sends the same well-formed request with the stock HTTP client
    (binary tensors) and the stock gRPC client; both must fail. `tensors`
    are (name, datatype, shape, numpy data) tuples."""
    errors = []
    for module in (httpclient, grpcclient):
        url = server.url if module is httpclient else server.grpc_url
        triton = module.InferenceServerClient(url=url)
        inputs = []
        for name, datatype, shape, data in tensors:
            tensor = module.InferInput(name, list(shape), datatype)
            if module is httpclient:
                tensor.set_data_from_numpy(data, binary_data=True)
            else:
                tensor.set_data_from_numpy(data)
            inputs.append(tensor)
        requested = [module.InferRequestedOutput(name) for name in outputs] if outputs else None
        try:
            with pytest.raises(InferenceServerException) as raised:
                triton.infer(model, inputs, model_version=version, outputs=requested)
            errors.append(raised.value)
        finally:
            triton.close()
    return errors


def assert_mirrors_http(server, model, tensors, words, version="", outputs=None, code=None):
    http_error, grpc_error = _infer_both(server, model, tensors, version, outputs)
    expected_code = HTTP_TO_GRPC.get(http_error.status())
    assert expected_code is not None, f"HTTP answered {http_error.status()}: {http_error.message()}"
    if code is not None:
        assert expected_code == code, f"HTTP said {http_error.status()}: {http_error.message()}"
    message = grpc_raw.assert_code_and_words(grpc_error, expected_code, words)
    assert message == http_error.message(), "gRPC and HTTP disagree on the message"
    grpc_raw.assert_other_model_still_serves(server)
    return message


def ints(shape, dtype=np.int32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


GOOD_INPUT1 = ("INPUT1", "INT32", [1, 16], ints([1, 16]))


def test_wrong_datatype(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "FP32", [1, 16], ints([1, 16], np.float32)),
                                        GOOD_INPUT1],
                        [MODEL, "INPUT0", "INT32", "FP32"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_wrong_shape(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "INT32", [1, 8], ints([1, 8])), GOOD_INPUT1],
                        [MODEL, "INPUT0"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_wrong_rank_for_unbatched_model(server):
    data = np.zeros((1, 2, 4), dtype=np.float32)
    assert_mirrors_http(server, "simple_nobatch", [("INPUT0", "FP32", [1, 2, 4], data),
                                                   ("INPUT1", "FP32", [1, 2, 4], data)],
                        ["simple_nobatch", "INPUT0"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_missing_input(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "INT32", [1, 16], ints([1, 16]))],
                        [MODEL, "INPUT1"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_unknown_input(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "INT32", [1, 16], ints([1, 16])), GOOD_INPUT1,
                                        ("INPUT9", "INT32", [1, 16], ints([1, 16]))],
                        [MODEL, "INPUT9"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_unknown_requested_output(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "INT32", [1, 16], ints([1, 16])), GOOD_INPUT1],
                        [MODEL, "OUTPUT7"], outputs=["OUTPUT7"], code=grpc.StatusCode.INVALID_ARGUMENT)


def test_unknown_model(server):
    assert_mirrors_http(server, "no_such_model", [("INPUT0", "INT32", [1, 16], ints([1, 16])),
                                                  GOOD_INPUT1],
                        ["no_such_model"], code=grpc.StatusCode.NOT_FOUND)


def test_unknown_version(server):
    assert_mirrors_http(server, MODEL, [("INPUT0", "INT32", [1, 16], ints([1, 16])), GOOD_INPUT1],
                        [MODEL, "9"], version="9", code=grpc.StatusCode.NOT_FOUND)


def test_non_numeric_version(server):
    message = grpc_raw.simple_request()
    message.model_version = "abc"
    error = grpc_raw.infer_error(server, message)
    assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), error
    assert "abc" in error.details()
    grpc_raw.assert_other_model_still_serves(server)


# The raw-contents cases the stock client cannot send.

def test_raw_content_smaller_than_shape(server):
    message = grpc_raw.simple_request()
    message.raw_input_contents[0] = ints([1, 15]).tobytes()  # 60 bytes for [1,16] INT32
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_raw_content_larger_than_shape(server):
    message = grpc_raw.simple_request()
    message.raw_input_contents[1] = ints([1, 17]).tobytes()
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT1"])
    grpc_raw.assert_other_model_still_serves(server)


def test_raw_content_not_a_multiple_of_the_element_size(server):
    message = grpc_raw.simple_request()
    message.raw_input_contents[0] = b"\x01" * 63
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_fewer_raw_contents_than_inputs(server):
    message = grpc_raw.simple_request()
    del message.raw_input_contents[1]
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL])
    grpc_raw.assert_other_model_still_serves(server)


def test_more_raw_contents_than_inputs(server):
    message = grpc_raw.simple_request()
    message.raw_input_contents.append(ints([1, 16]).tobytes())
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL])
    grpc_raw.assert_other_model_still_serves(server)


def test_typed_and_raw_contents_mixed(server):
    # Triton refuses a request that carries both: raw contents are
    # matched to inputs by position, which typed inputs would shift.
    data = ints([1, 16])
    message = grpc_raw.request(MODEL, [typed_input("INPUT0", "INT32", data),
                                       raw_input("INPUT1", "INT32", [1, 16])],
                               raw=[data.tobytes()])
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL])
    grpc_raw.assert_other_model_still_serves(server)


def test_typed_contents_wrong_count(server):
    message = grpc_raw.request(MODEL, [typed_input("INPUT0", "INT32", ints([1, 15])),
                                       typed_input("INPUT1", "INT32", ints([1, 16]))])
    message.inputs[0].shape[:] = [1, 16]  # 15 values for a [1, 16] tensor
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_typed_contents_in_the_wrong_field(server):
    # INT32 values sent in fp32_contents.
    tensor = raw_input("INPUT0", "INT32", [1, 16])
    tensor.contents.fp32_contents.extend([1.0] * 16)
    message = grpc_raw.request(MODEL, [tensor, typed_input("INPUT1", "INT32", ints([1, 16]))])
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_input_without_any_data(server):
    message = grpc_raw.request(MODEL, [raw_input("INPUT0", "INT32", [1, 16]),
                                       raw_input("INPUT1", "INT32", [1, 16])])
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_unknown_datatype_name(server):
    message = grpc_raw.simple_request()
    message.inputs[0].datatype = "INT33"
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INT33"])
    grpc_raw.assert_other_model_still_serves(server)


def test_negative_dimension(server):
    message = grpc_raw.simple_request()
    message.inputs[0].shape[:] = [-1, 16]
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, [MODEL, "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


def test_empty_model_name(server):
    message = grpc_raw.simple_request()
    message.model_name = ""
    error = grpc_raw.infer_error(server, message)
    assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), error
    assert error.details().strip()
    grpc_raw.assert_other_model_still_serves(server)


def test_bytes_element_length_beyond_the_buffer(server):
    # A BYTES element announces 1000 bytes but the buffer ends after 3.
    good = b"".join(len(s).to_bytes(4, "little") + s for s in [b"1"] * 15)
    lying = (1000).to_bytes(4, "little") + b"abc"
    message = grpc_raw.request("simple_string", [raw_input("INPUT0", "BYTES", [1, 16]),
                                                 raw_input("INPUT1", "BYTES", [1, 16])],
                               raw=[good + lying, good + (1).to_bytes(4, "little") + b"2"])
    error = grpc_raw.infer_error(server, message)
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, ["simple_string", "INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)
