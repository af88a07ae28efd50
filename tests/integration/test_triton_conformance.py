"""Triton's words and extensions, over HTTP and gRPC alike.

Triton's clients and its example scripts match on error texts ("Request for
unknown model", "unexpected shape for input ..."), so inferd uses Triton's
wording (from Triton's core, infer_request.cc and model_lifecycle.cc) while
still naming the model, the tensor, and what was expected. Server metadata
lists exactly the extensions that answer, and each listed one is exercised
here. The raw binary request of the binary tensor data extension
(`Inference-Header-Content-Length: 0`) is tested on single-input models.
"""

import json

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw

pytestmark = pytest.mark.timeout(60)

EXPECTED_EXTENSIONS = ["classification", "model_repository", "model_repository(unload_dependents)",
                       "schedule_policy", "model_configuration", "binary_tensor_data", "parameters", "statistics"]


def _clients(server):
    return [httpclient.InferenceServerClient(url=server.url),
            grpcclient.InferenceServerClient(url=server.grpc_url)]


def _module(triton):
    return httpclient if isinstance(triton, httpclient.InferenceServerClient) else grpcclient


def _simple_inputs(module, a=None, b=None, a_type="INT32", a_shape=(1, 16)):
    a = np.arange(16, dtype=np.int32).reshape(1, 16) if a is None else a
    b = np.ones((1, 16), dtype=np.int32) if b is None else b
    inputs = []
    for name, data, datatype, shape in (("INPUT0", a, a_type, a_shape), ("INPUT1", b, "INT32", (1, 16))):
        if data is None:
            continue
        tensor = module.InferInput(name, list(shape), datatype)
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    return inputs


# (case, model, version, how to build the inputs, requested outputs, Triton's words)
ERROR_CASES = [
    ("unknown model", "no_such_model", "", lambda m: _simple_inputs(m), None,
     "Request for unknown model: 'no_such_model' is not found"),
    ("unknown version", "simple", "7", lambda m: _simple_inputs(m), None,
     "Request for unknown model: 'simple' version 7 is not found"),
    ("bad version string", "simple", "wrong_specification", lambda m: _simple_inputs(m), None,
     "failed to get model version from specified version string 'wrong_specification'"),
    ("missing input", "simple", "", lambda m: [i for i in _simple_inputs(m) if i.name() == "INPUT0"], None,
     "expected 2 inputs but got 1 inputs for model 'simple'. Got input(s) ['INPUT0'], but missing required "
     "input(s) ['INPUT1']. Please provide all required input(s)."),
    ("wrong datatype", "simple", "",
     lambda m: _simple_inputs(m, a=np.zeros((1, 16), np.float32), a_type="FP32"), None,
     "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'"),
    ("wrong shape", "simple", "",
     lambda m: _simple_inputs(m, a=np.zeros((1, 15), np.int32), a_shape=(1, 15)), None,
     "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,15]."),
    ("unexpected output", "simple", "", lambda m: _simple_inputs(m), ["OUTPUT7"],
     "unexpected inference output 'OUTPUT7' for model 'simple'"),
]


@pytest.mark.parametrize("case,model,version,make_inputs,outputs,words", ERROR_CASES,
                         ids=[case[0] for case in ERROR_CASES])
def test_errors_use_tritons_words_on_both_protocols(server, case, model, version, make_inputs, outputs, words):
    for triton in _clients(server):
        module = _module(triton)
        try:
            requested = [module.InferRequestedOutput(name) for name in outputs] if outputs else None
            with pytest.raises(InferenceServerException) as raised:
                triton.infer(model, make_inputs(module), model_version=version, outputs=requested)
            assert words in raised.value.message(), f"{module.__name__}: {raised.value}"
            # The server keeps serving.
            result = triton.infer("simple", _simple_inputs(module))
            np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), np.arange(16).reshape(1, 16) + 1)
        finally:
            triton.close()


def test_batch_size_above_max_uses_tritons_words(server):
    big = np.zeros((9, 16), np.int32)
    for triton in _clients(server):
        module = _module(triton)
        try:
            inputs = []
            for name in ("INPUT0", "INPUT1"):
                tensor = module.InferInput(name, [9, 16], "INT32")
                tensor.set_data_from_numpy(big)
                inputs.append(tensor)
            with pytest.raises(InferenceServerException) as raised:
                triton.infer("simple", inputs)
            assert "inference request batch-size must be <= 8 for 'simple'" in raised.value.message()
        finally:
            triton.close()


def test_unknown_model_metadata_and_config_say_request_for_unknown_model(server):
    for triton in _clients(server):
        for call in (triton.get_model_metadata, triton.get_model_config):
            with pytest.raises(InferenceServerException) as raised:
                call("wrong_model_name")
            assert raised.value.message().startswith("Request for unknown model"), raised.value
        triton.close()


def test_extensions_list_exactly_what_answers(server):
    http, grpc = _clients(server)
    try:
        assert http.get_server_metadata()["extensions"] == EXPECTED_EXTENSIONS
        assert list(grpc.get_server_metadata().extensions) == EXPECTED_EXTENSIONS
        # model_repository: this server runs in mode "none", so load is
        # refused in Triton's words (test_model_control.py covers explicit mode).
        with pytest.raises(InferenceServerException) as refused:
            http.load_model("simple")
        assert "explicit model load / unload is not allowed" in refused.value.message()
        assert len(http.get_model_repository_index()) > 0
        # model_configuration
        assert http.get_model_config("simple")["name"] == "simple"
        # statistics
        assert http.get_inference_statistics("simple")["model_stats"]
        # schedule_policy: the priority and timeout request parameters are read.
        result = http.infer("simple", _simple_inputs(httpclient), priority=1, timeout=1_000_000)
        assert result.as_numpy("OUTPUT0") is not None
        # parameters: request parameters are accepted (and handed to the backend).
        result = grpc.infer("simple", _simple_inputs(grpcclient), parameters={"custom_key": "value", "n": 3})
        assert result.as_numpy("OUTPUT1") is not None
        # classification
        probabilities = np.array([[0.1, 2.0, 0.3, 0.0, 1.0]], dtype=np.float32)
        tensor = httpclient.InferInput("INPUT0", [1, 5], "FP32")
        tensor.set_data_from_numpy(probabilities)
        classified = http.infer("classifier", [tensor],
                                outputs=[httpclient.InferRequestedOutput("PROBS", class_count=2)])
        top = [entry.decode() for entry in classified.as_numpy("PROBS").reshape(-1)]
        assert top[0].split(":")[1:] == ["1", "dog"], top
        # binary_tensor_data: the raw binary request, below.
    finally:
        http.close()
        grpc.close()


def _raw_infer(server, model, body, headers=None):
    return http_raw.request(server, "POST", f"/v2/models/{model}/infer", body,
                            {http_raw.HEADER_LENGTH: "0", **(headers or {})})


def _binary_outputs(response):
    """(header JSON, {output name: bytes}) of a binary-extension response."""
    assert response.status == 200, response.body[:500]
    header_length = int(response.headers[http_raw.HEADER_LENGTH])
    header = json.loads(response.body[:header_length])
    offset = header_length
    blobs = {}
    for output in header["outputs"]:
        size = output["parameters"]["binary_data_size"]
        blobs[output["name"]] = response.body[offset:offset + size]
        offset += size
    return header, blobs


def test_raw_binary_request_fills_the_one_input_of_a_batched_model(server):
    data = np.array([1, -2, 3, 40], dtype=np.int32)
    header, blobs = _binary_outputs(_raw_infer(server, "identity_int32", data.tobytes()))
    assert header["outputs"][0]["name"] == "OUTPUT0"
    assert header["outputs"][0]["shape"] == [1, 4]  # a batch of one
    np.testing.assert_array_equal(np.frombuffer(blobs["OUTPUT0"], np.int32), data)


def test_raw_binary_request_on_an_unbatched_model(server):
    data = np.arange(6, dtype=np.float32)
    header, blobs = _binary_outputs(_raw_infer(server, "identity_fp32_nobatch", data.tobytes()))
    assert header["outputs"][0]["shape"] == [2, 3]
    np.testing.assert_array_equal(np.frombuffer(blobs["OUTPUT0"], np.float32), data)


def test_raw_binary_request_errors_name_the_model_and_input(server):
    two_inputs = _raw_infer(server, "simple", np.zeros(16, np.int32).tobytes())
    assert two_inputs.status == 400
    assert ("Raw request must only have 1 input (found 1) to be deduced but got 2 inputs in 'simple' model "
            "configuration") in two_inputs.error_text()

    wrong_size = _raw_infer(server, "identity_int32", b"\x00" * 10)
    assert wrong_size.status == 400
    assert "input byte size mismatch for input 'INPUT0' for model 'identity_int32'" in wrong_size.error_text()

    bytes_model = _raw_infer(server, "identity_bytes", b"hello")
    assert bytes_model.status == 400
    assert "For BYTE datatype raw input 'INPUT0', the model must have input shape [1]" in bytes_model.error_text()

    unknown = _raw_infer(server, "no_such_model", b"1234")
    assert unknown.status == 404
    assert "Request for unknown model: 'no_such_model' is not found" in unknown.error_text()


def test_parameters_starting_with_triton_are_refused_as_reserved(server):
    http, grpc = _clients(server)
    with pytest.raises(InferenceServerException) as raised:
        http.infer("simple", _simple_inputs(httpclient), parameters={"triton_mode": "fast"})
    assert raised.value.status() == "400", raised.value
    assert ("parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified"
            in raised.value.message()), raised.value
    assert "'simple'" in raised.value.message() and "triton_mode" in raised.value.message()
    with pytest.raises(InferenceServerException) as raised:
        grpc.infer("simple", _simple_inputs(grpcclient), parameters={"triton_mode": "fast"})
    assert raised.value.status() == "StatusCode.INVALID_ARGUMENT", raised.value
    assert ("parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys "
            "starting with 'triton_' are allowed: triton_enable_empty_final_response" in raised.value.message())
    # The one gRPC allows steers streams; on a unary call it changes nothing.
    result = grpc.infer("simple", _simple_inputs(grpcclient),
                        parameters={"triton_enable_empty_final_response": True})
    assert result.as_numpy("OUTPUT0") is not None
