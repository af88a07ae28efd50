"""Every KServe datatype round-trips exactly through an identity model,
batched and unbatched, in all four combinations of JSON/binary input and
JSON/binary output."""

import numpy as np
import pytest
import tritonclient.http as httpclient

from models import onnx_builders, repositories

pytestmark = pytest.mark.timeout(60)

DATATYPES = list(onnx_builders.DATATYPES)
BINARY_MODES = [(False, False), (False, True), (True, False), (True, True)]


def make_data(datatype, shape, seed):
    """Deterministic values that stress the type: extremes for integers,
    fractions for floats, empty/unicode/NUL strings for BYTES."""
    rng = np.random.default_rng(seed)
    count = int(np.prod(shape))
    np_dtype = onnx_builders.DATATYPES[datatype][1]
    if datatype == "BOOL":
        values = rng.integers(0, 2, size=count).astype(np.bool_)
        values[:2] = [True, False]
    elif datatype == "BYTES":
        pool = [b"", b"a", b"hello world", "gr\u00fc\u00dfe \u6587\u5b57".encode(),
                b"tab\tand \"quotes\"", b"x" * 40, b"1234567890"]
        values = np.array([pool[i] for i in rng.integers(0, len(pool), size=count)],
                          dtype=np.object_)
        values[:2] = [b"", "gr\u00fc\u00dfe".encode()]
    elif np.issubdtype(np_dtype, np.integer):
        info = np.iinfo(np_dtype)
        values = rng.integers(info.min, info.max, size=count, dtype=np_dtype, endpoint=True)
        values[:2] = [info.min, info.max]
    else:
        values = (rng.standard_normal(count) * 100).astype(np_dtype)
        values[:2] = [np_dtype(0.5), np_dtype(-1.0e-3)]
    return values.reshape(shape)


def as_bytes_elements(array):
    """JSON BYTES come back as str, binary ones as bytes: compare as bytes."""
    return [e if isinstance(e, bytes) else str(e).encode() for e in array.flatten()]


def assert_same(datatype, expected, actual):
    assert actual is not None, "output missing from the response"
    assert list(actual.shape) == list(expected.shape)
    if datatype == "BYTES":
        assert as_bytes_elements(actual) == as_bytes_elements(expected)
    else:
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)


def shape_for(batched, batch_size):
    if batched:
        return [batch_size] + repositories.BATCHED_DIMS
    return list(repositories.UNBATCHED_DIMS)


@pytest.mark.parametrize("binary_in,binary_out", BINARY_MODES,
                         ids=["json-json", "json-binary", "binary-json", "binary-binary"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "nobatch"])
@pytest.mark.parametrize("datatype", DATATYPES)
def test_identity_round_trip(client, datatype, batched, binary_in, binary_out):
    model = repositories.identity_name(datatype, batched)
    shape = shape_for(batched, batch_size=3)
    seed = DATATYPES.index(datatype) * 10 + int(batched) * 4 + int(binary_in) * 2 + int(binary_out)
    data = make_data(datatype, shape, seed)
    tensor = httpclient.InferInput("INPUT0", shape, datatype)
    tensor.set_data_from_numpy(data, binary_data=binary_in)
    output = httpclient.InferRequestedOutput("OUTPUT0", binary_data=binary_out)
    result = client.infer(model, [tensor], outputs=[output])

    response = result.get_response()
    described = response["outputs"][0]
    assert described["name"] == "OUTPUT0"
    assert described["datatype"] == datatype
    assert described["shape"] == shape
    # Binary output is announced with binary_data_size; JSON output carries data.
    has_binary = "binary_data_size" in (described.get("parameters") or {})
    assert has_binary == binary_out
    assert ("data" in described) == (not binary_out)
    assert_same(datatype, data, result.as_numpy("OUTPUT0"))


@pytest.mark.parametrize("batch_size", [1, 8])
@pytest.mark.parametrize("datatype", ["FP32", "INT8", "BYTES"])
def test_batch_sizes_up_to_max(client, datatype, batch_size):
    shape = shape_for(True, batch_size)
    data = make_data(datatype, shape, seed=batch_size)
    tensor = httpclient.InferInput("INPUT0", shape, datatype)
    tensor.set_data_from_numpy(data, binary_data=True)
    result = client.infer(repositories.identity_name(datatype, True), [tensor])
    assert_same(datatype, data, result.as_numpy("OUTPUT0"))


def test_batch_larger_than_max_batch_size_is_rejected(client):
    from tritonclient.utils import InferenceServerException
    shape = shape_for(True, 9)  # max_batch_size is 8
    tensor = httpclient.InferInput("INPUT0", shape, "FP32")
    tensor.set_data_from_numpy(np.zeros(shape, dtype=np.float32))
    with pytest.raises(InferenceServerException) as raised:
        client.infer("identity_fp32", [tensor])
    assert "identity_fp32" in str(raised.value)
