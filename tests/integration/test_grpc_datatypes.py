"""Every KServe datatype round-trips exactly through the identity models over
gRPC, batched and unbatched: raw contents (what tritonclient.grpc sends)
and typed `contents` (what other KServe clients send; FP16 has no typed
field and travels raw only, as in Triton)."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient

import grpc_raw
from models import repositories
from test_datatypes import DATATYPES, assert_same, make_data, shape_for

pytestmark = pytest.mark.timeout(60)

TYPED_DATATYPES = [d for d in DATATYPES if d in grpc_raw.TYPED_FIELD]


def _check_response(response, datatype, shape):
    assert len(response.outputs) == 1
    described = response.outputs[0]
    assert (described.name, described.datatype, list(described.shape)) == ("OUTPUT0", datatype, shape)
    assert len(response.raw_output_contents) == 1, "the output must come back raw"


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "nobatch"])
@pytest.mark.parametrize("datatype", DATATYPES)
def test_identity_round_trip_raw(grpc_client, datatype, batched):
    model = repositories.identity_name(datatype, batched)
    shape = shape_for(batched, batch_size=3)
    data = make_data(datatype, shape, seed=DATATYPES.index(datatype) * 10 + int(batched))
    tensor = grpcclient.InferInput("INPUT0", shape, datatype)
    tensor.set_data_from_numpy(data)
    result = grpc_client.infer(model, [tensor], outputs=[grpcclient.InferRequestedOutput("OUTPUT0")])
    _check_response(result.get_response(), datatype, shape)
    assert_same(datatype, data, result.as_numpy("OUTPUT0"))


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "nobatch"])
@pytest.mark.parametrize("datatype", TYPED_DATATYPES)
def test_identity_round_trip_typed(server, datatype, batched):
    model = repositories.identity_name(datatype, batched)
    shape = shape_for(batched, batch_size=2)
    data = make_data(datatype, shape, seed=500 + DATATYPES.index(datatype) * 10 + int(batched))
    message = grpc_raw.request(model, [grpc_raw.typed_input("INPUT0", datatype, data)],
                               request_id=f"typed-{datatype}")
    with grpc_raw.stub(server) as service:
        response = service.ModelInfer(message, timeout=30)
    assert response.id == f"typed-{datatype}"
    _check_response(response, datatype, shape)
    assert_same(datatype, data, grpcclient.InferResult(response).as_numpy("OUTPUT0"))


@pytest.mark.parametrize("datatype", ["FP16"])
def test_typed_contents_for_a_raw_only_type_is_refused(server, datatype):
    # There is no fp16 field in InferTensorContents: a request that puts
    # FP16 values in, say, fp32_contents is wrong and must say so.
    shape = shape_for(True, batch_size=1)
    tensor = grpc_raw.raw_input("INPUT0", datatype, shape)
    tensor.contents.fp32_contents.extend([1.0] * int(np.prod(shape)))
    error = grpc_raw.infer_error(server, grpc_raw.request(repositories.identity_name(datatype, True),
                                                          [tensor]))
    grpc_raw.assert_code_and_words(error, grpc.StatusCode.INVALID_ARGUMENT, ["INPUT0"])
    grpc_raw.assert_other_model_still_serves(server)


@pytest.mark.parametrize("batch_size", [1, 8])
@pytest.mark.parametrize("datatype", ["FP32", "INT8", "BYTES"])
def test_batch_sizes_up_to_max(grpc_client, datatype, batch_size):
    shape = shape_for(True, batch_size)
    data = make_data(datatype, shape, seed=batch_size)
    tensor = grpcclient.InferInput("INPUT0", shape, datatype)
    tensor.set_data_from_numpy(data)
    result = grpc_client.infer(repositories.identity_name(datatype, True), [tensor])
    assert_same(datatype, data, result.as_numpy("OUTPUT0"))


def test_batch_larger_than_max_batch_size_is_rejected(grpc_client, server):
    from tritonclient.utils import InferenceServerException
    shape = shape_for(True, 9)  # max_batch_size is 8
    tensor = grpcclient.InferInput("INPUT0", shape, "FP32")
    tensor.set_data_from_numpy(np.zeros(shape, dtype=np.float32))
    with pytest.raises(InferenceServerException) as raised:
        grpc_client.infer("identity_fp32", [tensor])
    grpc_raw.assert_code_and_words(raised.value, grpc.StatusCode.INVALID_ARGUMENT, ["identity_fp32"])
    grpc_raw.assert_other_model_still_serves(server)
