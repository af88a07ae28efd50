"""Triton's quickstart, end to end: a generated copy of the quickstart model
repository (docs/examples/model_repository, with our own stand-in models,
see models/quickstart_models.py) served by inferd with --id=triton, and the
flows of Triton's Python example clients replayed with the stock
tritonclient:

- image_client.py: metadata + config, its parse_model checks, one
  classification request (batch 1, 3 classes, INCEPTION scaling) and its
  "score:index:label" parsing, over HTTP and gRPC, for densenet_onnx and
  inception_onnx. Both models only work because the server applies the
  config's `reshape` (the graphs take [1,3,224,224] / [1,299,299,3]);
- grpc_image_client.py / grpc_client.py: the same through the raw stubs;
- grpc_explicit_{int,int8,byte}_content_client.py: typed `contents`
  inputs through the raw stubs, and their two error messages;
- simple_{http,grpc}_health_metadata.py: health, metadata, unknown model.
"""

import re

import grpc
import numpy as np
import onnxruntime as ort
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.grpc.model_config_pb2 as mc
import tritonclient.http as httpclient
from google.protobuf import text_format
from tritonclient import utils
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException, triton_to_np_dtype

from models import quickstart_models as qs
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(120)

SERVER_ID = "triton"
CLASS_COUNT = 3
CHANNEL_OPTIONS = [("grpc.max_send_message_length", 2**31 - 1),
                   ("grpc.max_receive_message_length", 2**31 - 1)]


@pytest.fixture(scope="module")
def quickstart_repo(tmp_path_factory):
    return qs.write_quickstart_repository(tmp_path_factory.mktemp("quickstart_repo"))


@pytest.fixture(scope="module")
def quickstart_server(inferd_binary, quickstart_repo, tmp_path_factory):
    """inferd --id=triton on the quickstart repository, stopped after the module."""
    log_path = tmp_path_factory.mktemp("quickstart_server") / "inferd.log"
    inferd = InferdServer([quickstart_repo], log_path, ["--id", SERVER_ID], binary=inferd_binary)
    try:
        start_or_fail(inferd)
        if not inferd.serves_grpc():
            pytest.fail(f"{inferd.binary} has no gRPC service")
        yield inferd
    finally:
        inferd.stop()


@pytest.fixture
def quickstart_http(quickstart_server):
    triton = httpclient.InferenceServerClient(url=quickstart_server.url, connection_timeout=30,
                                              network_timeout=30)
    yield triton
    triton.close()


@pytest.fixture
def quickstart_grpc(quickstart_server):
    triton = grpcclient.InferenceServerClient(url=quickstart_server.grpc_url)
    yield triton
    triton.close()


@pytest.fixture
def stub(quickstart_server):
    channel = grpc.insecure_channel(quickstart_server.grpc_url, options=CHANNEL_OPTIONS)
    yield service_pb2_grpc.GRPCInferenceServiceStub(channel)
    channel.close()


def make_client(protocol, server):
    if protocol == "http":
        return httpclient.InferenceServerClient(url=server.url, connection_timeout=30,
                                                network_timeout=30)
    return grpcclient.InferenceServerClient(url=server.grpc_url)


# --------------------------------------------------------------------------
# The generated repository itself


def test_generated_configs_parse_as_model_config(quickstart_repo):
    """Our config.pbtxt texts are valid ModelConfig text protos with
    Triton's quickstart values (so a failure later is the server's)."""
    for model in qs.QUICKSTART_MODELS:
        config = text_format.Parse((quickstart_repo / model / "config.pbtxt").read_text(),
                                   mc.ModelConfig())
        assert config.name == model
        assert config.platform == "onnxruntime_onnx"
        assert (quickstart_repo / model / "1" / "model.onnx").is_file()
    densenet = text_format.Parse((quickstart_repo / qs.DENSENET / "config.pbtxt").read_text(),
                                 mc.ModelConfig())
    assert densenet.max_batch_size == 0
    assert densenet.input[0].format == mc.ModelInput.FORMAT_NCHW
    assert list(densenet.input[0].reshape.shape) == [1, 3, 224, 224]
    assert list(densenet.output[0].reshape.shape) == [1, 1000, 1, 1]
    assert densenet.output[0].label_filename == "densenet_labels.txt"
    labels = (quickstart_repo / qs.DENSENET / "densenet_labels.txt").read_text().splitlines()
    assert len(labels) == 1000
    labels = (quickstart_repo / qs.INCEPTION / "inception_labels.txt").read_text().splitlines()
    assert len(labels) == 1001 and labels[0] == "UNUSED BACKGROUND"


def test_all_quickstart_models_ready(quickstart_http, quickstart_grpc):
    assert quickstart_http.is_server_ready()
    for model in qs.QUICKSTART_MODELS:
        assert quickstart_http.is_model_ready(model), model
        assert quickstart_grpc.is_model_ready(model), model
    index = {entry["name"]: entry for entry in quickstart_http.get_model_repository_index()}
    for model in qs.QUICKSTART_MODELS:
        assert index[model].get("state") == "READY", index[model]


# --------------------------------------------------------------------------
# image_client.py


class Attr:
    """Attribute access over the HTTP JSON, like the AttrDict image_client
    wraps it in: a missing key raises (AttributeError), it never defaults."""

    def __init__(self, value):
        self._value = value

    def __getattr__(self, name):
        if name not in self._value:
            raise AttributeError(f"HTTP JSON has no {name!r} key: {self._value}")
        return wrap(self._value[name])

    def __setattr__(self, name, value):
        if name == "_value":
            object.__setattr__(self, name, value)
        else:
            self._value[name] = value


def wrap(value):
    if isinstance(value, dict):
        return Attr(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def parse_model(model_metadata, model_config):
    """image_client.py's parse_model, check for check."""
    if len(model_metadata.inputs) != 1:
        raise Exception("expecting 1 input, got {}".format(len(model_metadata.inputs)))
    if len(model_metadata.outputs) != 1:
        raise Exception("expecting 1 output, got {}".format(len(model_metadata.outputs)))
    if len(model_config.input) != 1:
        raise Exception("expecting 1 input in model configuration, got {}".format(
            len(model_config.input)))

    input_metadata = model_metadata.inputs[0]
    input_config = model_config.input[0]
    output_metadata = model_metadata.outputs[0]

    if output_metadata.datatype != "FP32":
        raise Exception("expecting output datatype to be FP32, model '" + model_metadata.name
                        + "' output type is " + output_metadata.datatype)

    output_batch_dim = model_config.max_batch_size > 0
    non_one_cnt = 0
    for dim in output_metadata.shape:
        if output_batch_dim:
            output_batch_dim = False
        elif dim > 1:
            non_one_cnt += 1
            if non_one_cnt > 1:
                raise Exception("expecting model output to be a vector")

    input_batch_dim = model_config.max_batch_size > 0
    expected_input_dims = 3 + (1 if input_batch_dim else 0)
    if len(input_metadata.shape) != expected_input_dims:
        raise Exception("expecting input to have {} dimensions, model '{}' input has {}".format(
            expected_input_dims, model_metadata.name, len(input_metadata.shape)))

    if type(input_config.format) == str:
        input_config.format = dict(mc.ModelInput.Format.items())[input_config.format]
    if input_config.format not in (mc.ModelInput.FORMAT_NCHW, mc.ModelInput.FORMAT_NHWC):
        raise Exception("unexpected input format "
                        + mc.ModelInput.Format.Name(input_config.format)
                        + ", expecting FORMAT_NCHW or FORMAT_NHWC")

    if input_config.format == mc.ModelInput.FORMAT_NHWC:
        h = input_metadata.shape[1 if input_batch_dim else 0]
        w = input_metadata.shape[2 if input_batch_dim else 1]
        c = input_metadata.shape[3 if input_batch_dim else 2]
    else:
        c = input_metadata.shape[1 if input_batch_dim else 0]
        h = input_metadata.shape[2 if input_batch_dim else 1]
        w = input_metadata.shape[3 if input_batch_dim else 2]
    return (model_config.max_batch_size, input_metadata.name, output_metadata.name, c, h, w,
            input_config.format, input_metadata.datatype)


def preprocess(image, fmt, dtype, scaling="INCEPTION"):
    """image_client.py's preprocess after PIL (image is already HxWx3 RGB
    uint8 of the model's size)."""
    typed = image.astype(triton_to_np_dtype(dtype))
    if scaling == "INCEPTION":
        scaled = (typed / 127.5) - 1
    else:
        scaled = typed
    if fmt == mc.ModelInput.FORMAT_NCHW:
        return np.transpose(scaled, (2, 0, 1))
    return scaled


def postprocess(results, output_name, batch_size, supports_batching):
    """image_client.py's postprocess, returning the [score, index, label]
    lists instead of printing them."""
    output_array = results.as_numpy(output_name)
    if supports_batching and len(output_array) != batch_size:
        raise Exception("expected {} results, got {}".format(batch_size, len(output_array)))
    classes = []
    for results_ in output_array:
        if not supports_batching:
            results_ = [results_]
        for result in results_:
            if output_array.dtype.type == np.object_:
                cls = "".join(chr(x) for x in result).split(":")
            else:
                cls = result.split(":")
            # image_client prints cls[0], cls[1], cls[2]: three fields or IndexError.
            assert len(cls) == 3, f"classification entry {result!r} is not score:index:label"
            classes.append(cls)
    return classes


def reference_top(model, image_data):
    """Top CLASS_COUNT (index, score) of the stand-in model run in-process
    with onnxruntime on the same (reshaped) input."""
    spec = qs.CLASSIFIERS[model]
    session = ort.InferenceSession(qs.model_proto(model).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    scores = session.run(None, {spec["input"]: image_data.reshape(spec["input_reshape"])})[0]
    scores = scores.reshape(-1)
    order = np.argsort(-scores, kind="stable")[:CLASS_COUNT + 1]
    # The test data keeps the top classes apart, so float noise between two
    # ONNX Runtime builds cannot reorder them.
    gaps = -np.diff(scores[order])
    assert gaps.min() > 1e-3 * max(1.0, abs(float(scores[order[0]]))), scores[order]
    return [(int(i), float(scores[i])) for i in order[:CLASS_COUNT]]


SCORE_TEXT = re.compile(r"^-?\d+\.\d{6}$")  # std::to_string(float)


def assert_classes_match(model, classes, image_data):
    labels = qs.labels(model)
    expected = reference_top(model, image_data)
    assert len(classes) == CLASS_COUNT, classes
    got_indices = [int(cls[1]) for cls in classes]
    assert got_indices == [index for index, _ in expected], (classes, expected)
    for (score_text, index_text, label), (index, score) in zip(classes, expected):
        assert SCORE_TEXT.match(score_text), f"score {score_text!r} is not in %f form"
        assert float(score_text) == pytest.approx(score, rel=1e-5, abs=2e-6), (classes, expected)
        assert index_text == str(index)
        assert label == labels[index]


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("model", [qs.DENSENET, qs.INCEPTION])
def test_image_client_flow(quickstart_server, protocol, model):
    triton = make_client(protocol, quickstart_server)
    try:
        model_metadata = triton.get_model_metadata(model_name=model, model_version="")
        model_config = triton.get_model_config(model_name=model, model_version="")
        if protocol == "grpc":
            model_config = model_config.config
        else:
            assert "format" in model_config["input"][0], model_config["input"][0]
            model_metadata, model_config = wrap(model_metadata), wrap(model_config)

        max_batch_size, input_name, output_name, c, h, w, fmt, dtype = parse_model(
            model_metadata, model_config)
        spec = qs.CLASSIFIERS[model]
        assert max_batch_size == 0
        assert (input_name, output_name, dtype) == (spec["input"], spec["output"], "FP32")
        assert fmt == getattr(mc.ModelInput, spec["format"])
        assert c == 3 and (h, w) == ((224, 224) if model == qs.DENSENET else (299, 299))

        image_data = preprocess(qs.quickstart_image(h, w), fmt, dtype)
        assert image_data.dtype == np.float32 and list(image_data.shape) == spec["input_dims"]
        client_module = httpclient if protocol == "http" else grpcclient
        inputs = [client_module.InferInput(input_name, image_data.shape, dtype)]
        inputs[0].set_data_from_numpy(image_data)
        outputs = [client_module.InferRequestedOutput(output_name, class_count=CLASS_COUNT)]
        response = triton.infer(model, inputs, request_id="1", model_version="", outputs=outputs)

        this_id = (response.get_response()["id"] if protocol == "http"
                   else response.get_response().id)
        assert this_id == "1"
        output = response.get_output(output_name)
        if protocol == "http":
            assert output["datatype"] == "BYTES" and output["shape"] == [CLASS_COUNT], output
        else:
            assert output.datatype == "BYTES" and list(output.shape) == [CLASS_COUNT], output
        classes = postprocess(response, output_name, 1, max_batch_size > 0)
        assert_classes_match(model, classes, image_data)
    finally:
        triton.close()


@pytest.mark.parametrize("request_id", ["my request id", "42"])
def test_http_response_carries_request_id(quickstart_http, request_id):
    image = preprocess(qs.quickstart_image(224, 224), mc.ModelInput.FORMAT_NCHW, "FP32")
    tensor = httpclient.InferInput("data_0", image.shape, "FP32")
    tensor.set_data_from_numpy(image)
    response = quickstart_http.infer(
        qs.DENSENET, [tensor], request_id=request_id,
        outputs=[httpclient.InferRequestedOutput("fc6_1", class_count=CLASS_COUNT)])
    assert response.get_response()["id"] == request_id


def test_unclassified_output_keeps_config_dims(quickstart_http, quickstart_grpc):
    """Without class_count the output comes back with the config's dims
    ([1000]), not the graph's reshaped [1,1000,1,1]."""
    image = preprocess(qs.quickstart_image(224, 224), mc.ModelInput.FORMAT_NCHW, "FP32")
    expected = qs.CLASSIFIERS[qs.DENSENET]
    session = ort.InferenceSession(qs.model_proto(qs.DENSENET).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    reference = session.run(None, {"data_0": image.reshape(expected["input_reshape"])})[0]
    for module, triton in ((httpclient, quickstart_http), (grpcclient, quickstart_grpc)):
        tensor = module.InferInput("data_0", image.shape, "FP32")
        tensor.set_data_from_numpy(image)
        result = triton.infer(qs.DENSENET, [tensor],
                              outputs=[module.InferRequestedOutput("fc6_1")])
        scores = result.as_numpy("fc6_1")
        assert scores.shape == (1000,), module.__name__
        np.testing.assert_allclose(scores, reference.reshape(-1), rtol=1e-5, atol=1e-5)


def _classification_parameter(count):
    parameter = service_pb2.InferParameter()
    parameter.int64_param = count
    return parameter


def test_grpc_image_client_raw_stub_flow(stub):
    """grpc_image_client.py: ModelMetadata + ModelConfig through the stubs,
    parse_model, raw_input_contents and a classification parameter; the
    reply has exactly 1 output and 1 raw_output_contents."""
    metadata = stub.ModelMetadata(service_pb2.ModelMetadataRequest(name=qs.INCEPTION, version=""))
    config = stub.ModelConfig(service_pb2.ModelConfigRequest(name=qs.INCEPTION, version="")).config
    max_batch_size, input_name, output_name, c, h, w, fmt, dtype = parse_model(metadata, config)
    image = preprocess(qs.quickstart_image(h, w), fmt, dtype)

    request = service_pb2.ModelInferRequest(model_name=qs.INCEPTION, model_version="", id="7")
    tensor = request.inputs.add(name=input_name, datatype=dtype)
    tensor.shape.extend([h, w, c])
    output = request.outputs.add(name=output_name)
    output.parameters["classification"].CopyFrom(_classification_parameter(CLASS_COUNT))
    request.raw_input_contents.extend([image.tobytes()])
    response = stub.ModelInfer(request, timeout=30)

    assert response.id == "7"
    assert len(response.outputs) == 1, response.outputs
    assert len(response.raw_output_contents) == 1
    assert response.outputs[0].datatype == "BYTES"
    values = utils.deserialize_bytes_tensor(response.raw_output_contents[0])
    values = np.resize(values, list(response.outputs[0].shape))
    classes = [value.decode().split(":") for value in values]
    assert_classes_match(qs.INCEPTION, classes, image)


def test_grpc_client_raw_stub_calls(stub):
    """grpc_client.py: every call it makes answers, including an inference
    on densenet_onnx with 602112 bytes of 'a' as the [3,224,224] input."""
    assert stub.ServerLive(service_pb2.ServerLiveRequest()).live
    assert stub.ServerReady(service_pb2.ServerReadyRequest()).ready
    assert stub.ModelReady(service_pb2.ModelReadyRequest(name=qs.DENSENET, version="")).ready
    assert stub.ServerMetadata(service_pb2.ServerMetadataRequest()).name == SERVER_ID
    assert stub.ModelMetadata(service_pb2.ModelMetadataRequest(name=qs.DENSENET)).name == qs.DENSENET
    assert stub.ModelConfig(service_pb2.ModelConfigRequest(name=qs.DENSENET)).config.name == qs.DENSENET

    request = service_pb2.ModelInferRequest(model_name=qs.DENSENET, model_version="",
                                            id="my request id")
    tensor = request.inputs.add(name="data_0", datatype="FP32")
    tensor.shape.extend([3, 224, 224])
    request.outputs.add(name="fc6_1")
    request.raw_input_contents.extend([bytes(602112 * "a", "utf-8")])
    response = stub.ModelInfer(request, timeout=30)
    assert response.id == "my request id"
    assert response.model_name == qs.DENSENET
    assert list(response.outputs[0].shape) == [1000]
    assert len(response.raw_output_contents[0]) == 4000


# --------------------------------------------------------------------------
# grpc_explicit_*_content_client.py


def explicit_request(model, datatype, field, input0_data, input1_data):
    request = service_pb2.ModelInferRequest()
    request.model_name = model
    request.model_version = ""
    for name, data in (("INPUT0", input0_data), ("INPUT1", input1_data)):
        tensor = service_pb2.ModelInferRequest().InferInputTensor()
        tensor.name = name
        tensor.datatype = datatype
        tensor.shape.extend([1, 16])
        getattr(tensor.contents, field)[:] = data
        request.inputs.extend([tensor])
    for name in ("OUTPUT0", "OUTPUT1"):
        output = service_pb2.ModelInferRequest().InferRequestedOutputTensor()
        output.name = name
        request.outputs.extend([output])
    return request


def read_outputs(response, decode):
    results = []
    for index, output in enumerate(response.outputs):
        results.append(np.resize(decode(response.raw_output_contents[index]), list(output.shape)))
    return results


def test_explicit_int8_content(stub):
    input0_data = [i for i in range(16)]
    input1_data = [1 for _ in range(16)]
    request = explicit_request("simple_int8", "INT8", "int_contents", input0_data, input1_data)
    response = stub.ModelInfer(request, timeout=30)
    results = read_outputs(response, lambda raw: np.frombuffer(raw, dtype=np.int8))
    assert len(results) == 2, "expected two output results"
    assert [o.name for o in response.outputs] == ["OUTPUT0", "OUTPUT1"]
    for i in range(16):
        assert results[0][0][i] == input0_data[i] + input1_data[i], "incorrect sum"
        assert results[1][0][i] == input0_data[i] - input1_data[i], "incorrect difference"

    request.model_version = "wrong_specification"
    with pytest.raises(grpc.RpcError) as raised:
        stub.ModelInfer(request, timeout=30)
    assert ("failed to get model version from specified version string 'wrong_specification'"
            in str(raised.value)), raised.value.details()


def test_explicit_int_content_and_raw_contents_conflict(stub):
    input0_data = [i for i in range(16)]
    input1_data = [1 for _ in range(16)]
    request = explicit_request("simple", "INT32", "int_contents", input0_data, input1_data)
    response = stub.ModelInfer(request, timeout=30)
    results = read_outputs(response, lambda raw: np.frombuffer(raw, dtype=np.int32))
    assert len(results) == 2, "expected two output results"
    for i in range(16):
        assert results[0][0][i] == input0_data[i] + input1_data[i], "incorrect sum"
        assert results[1][0][i] == input0_data[i] - input1_data[i], "incorrect difference"

    # As the example does: raw bytes for INPUT0 (8 int64 values) while
    # INPUT0 also keeps typed contents.
    request.raw_input_contents.extend([np.array(input0_data[0:8]).tobytes()])
    request.inputs[0].contents.int_contents[:] = input0_data[8:]
    with pytest.raises(grpc.RpcError) as raised:
        stub.ModelInfer(request, timeout=30)
    assert ("contents field must not be specified when using "
            "raw_input_contents for 'INPUT0' for model 'simple'" in str(raised.value)), (
        raised.value.details())
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_typed_contents_beside_one_raw_entry_per_input(stub):
    """The same conflict with one raw entry per input: Triton's words again
    (INPUT0 is the first input holding typed contents)."""
    request = explicit_request("simple", "INT32", "int_contents", list(range(16)), [1] * 16)
    request.raw_input_contents.extend([np.arange(16, dtype=np.int32).tobytes(),
                                       np.ones(16, dtype=np.int32).tobytes()])
    with pytest.raises(grpc.RpcError) as raised:
        stub.ModelInfer(request, timeout=30)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == (
        "contents field must not be specified when using "
        "raw_input_contents for 'INPUT0' for model 'simple'")


def test_explicit_byte_content(stub):
    input0_data = [("{}".format(i)).encode("utf-8") for i in range(16)]
    input1_data = ["1".encode("utf-8") for _ in range(16)]
    request = explicit_request("simple_string", "BYTES", "bytes_contents", input0_data,
                               input1_data)
    response = stub.ModelInfer(request, timeout=30)
    results = read_outputs(response, utils.deserialize_bytes_tensor)
    assert len(results) == 2, "expected two output results"
    for i in range(16):
        assert (i + 1) == int(results[0][0][i]), "explicit string infer error: incorrect sum"
        assert (i - 1) == int(results[1][0][i]), "explicit string infer error: incorrect difference"


# --------------------------------------------------------------------------
# simple_*_infer_client.py / simple_*_string_infer_client.py on the stand-ins


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("model", qs.SIMPLE_MODELS)
def test_simple_models_add_and_subtract(quickstart_server, protocol, model):
    module = httpclient if protocol == "http" else grpcclient
    triton = make_client(protocol, quickstart_server)
    try:
        if model == "simple_string":
            in0 = np.array([[str(i).encode("utf-8") for i in range(16)]], dtype=np.object_)
            in1 = np.array([[b"1"] * 16], dtype=np.object_)
            datatype = "BYTES"
        else:
            dtype = np.int32 if model == "simple" else np.int8
            in0 = np.arange(16, dtype=dtype)[None, :]
            in1 = np.ones((1, 16), dtype=dtype)
            datatype = "INT32" if model == "simple" else "INT8"
        inputs = [module.InferInput("INPUT0", [1, 16], datatype),
                  module.InferInput("INPUT1", [1, 16], datatype)]
        if protocol == "http":
            # simple_http_*_client: INPUT0 as JSON, INPUT1 binary.
            inputs[0].set_data_from_numpy(in0, binary_data=False)
            inputs[1].set_data_from_numpy(in1, binary_data=True)
            outputs = [httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
                       httpclient.InferRequestedOutput("OUTPUT1", binary_data=False)]
        else:
            inputs[0].set_data_from_numpy(in0)
            inputs[1].set_data_from_numpy(in1)
            outputs = [grpcclient.InferRequestedOutput("OUTPUT0"),
                       grpcclient.InferRequestedOutput("OUTPUT1")]
        result = triton.infer(model, inputs, outputs=outputs)
        out0, out1 = result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")
        assert out0.shape == (1, 16) and out1.shape == (1, 16)
        for i in range(16):
            assert int(out0[0][i]) == i + 1, f"{model}: incorrect sum"
            assert int(out1[0][i]) == i - 1, f"{model}: incorrect difference"
    finally:
        triton.close()


# --------------------------------------------------------------------------
# simple_{http,grpc}_health_metadata.py


def test_http_health_metadata_flow(quickstart_http):
    assert quickstart_http.is_server_live(query_params={"test_1": 1, "test_2": 2})
    assert quickstart_http.is_server_ready()
    assert quickstart_http.is_model_ready("simple")
    assert quickstart_http.get_server_metadata()["name"] == SERVER_ID
    metadata = quickstart_http.get_model_metadata("simple", query_params={"test_1": 1, "test_2": 2})
    assert metadata["name"] == "simple"
    with pytest.raises(InferenceServerException) as raised:
        quickstart_http.get_model_metadata("wrong_model_name")
    assert "Request for unknown model" in raised.value.message(), raised.value.message()


def test_grpc_health_metadata_flow(quickstart_grpc):
    headers = {"test": "1", "dummy": "2"}
    assert quickstart_grpc.is_server_live(headers=headers)
    assert quickstart_grpc.is_server_ready()
    assert quickstart_grpc.is_model_ready("simple")
    assert quickstart_grpc.get_server_metadata().name == SERVER_ID
    assert quickstart_grpc.get_model_metadata("simple", headers=headers).name == "simple"
    with pytest.raises(InferenceServerException) as raised:
        quickstart_grpc.get_model_metadata("wrong_model_name")
    assert "Request for unknown model" in raised.value.message(), raised.value.message()
    assert quickstart_grpc.get_model_config("simple").config.name == "simple"


def test_unknown_model_inference_message(quickstart_http, quickstart_grpc):
    """simple_http_infer_client.py: an inference on a wrong model name
    fails with a message starting 'Request for unknown model'."""
    for module, triton in ((httpclient, quickstart_http), (grpcclient, quickstart_grpc)):
        tensor = module.InferInput("INPUT0", [1, 16], "INT32")
        tensor.set_data_from_numpy(np.zeros((1, 16), dtype=np.int32))
        with pytest.raises(InferenceServerException) as raised:
            triton.infer("wrong_model_name", [tensor])
        assert raised.value.message().startswith("Request for unknown model"), (
            module.__name__, raised.value.message())


def test_server_name_defaults_to_inferd(server_factory, quickstart_repo):
    inferd = server_factory.start([quickstart_repo])
    http_triton = httpclient.InferenceServerClient(url=inferd.url, network_timeout=30)
    grpc_triton = grpcclient.InferenceServerClient(url=inferd.grpc_url)
    try:
        assert http_triton.get_server_metadata()["name"] == "inferd"
        assert grpc_triton.get_server_metadata().name == "inferd"
    finally:
        http_triton.close()
        grpc_triton.close()
