"""Raw HTTP for what the stock client will not send: malformed bodies,
lying length headers, hand-built binary-extension requests.

KServe v2 binary tensor extension (Triton's `binary_data` extension): the
body is a JSON header followed by raw tensor bytes; the header's length is
given by the `Inference-Header-Content-Length` HTTP header, and each binary
input says `"parameters": {"binary_data_size": N}`.
"""

import http.client
import json
from dataclasses import dataclass

import numpy as np
import tritonclient.http as httpclient

HEADER_LENGTH = "Inference-Header-Content-Length"


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)

    def error_text(self):
        """The `error` string of a KServe error body; fails loudly when the
        body is not the `{"error": "..."}` object the protocol requires."""
        try:
            parsed = json.loads(self.body)
        except ValueError as error:
            raise AssertionError(f"error body is not JSON ({error}): {self.body[:300]!r}")
        assert isinstance(parsed, dict) and isinstance(parsed.get("error"), str), (
            f"error body has no string 'error' field: {parsed!r}")
        assert parsed["error"].strip(), "error message is empty"
        return parsed["error"]


def request(server, method, path, body=b"", headers=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return RawResponse(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def post_json(server, path, payload):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    if isinstance(body, str):
        body = body.encode()
    return request(server, "POST", path, body, {"Content-Type": "application/json"})


def post_binary(server, path, header_json, blobs, header_length=None):
    """Header JSON + concatenated blobs; `header_length` overrides the
    Inference-Header-Content-Length value (to lie about it)."""
    header = json.dumps(header_json).encode()
    body = header + b"".join(blobs)
    length = len(header) if header_length is None else header_length
    return request(server, "POST", path, body, {
        "Content-Type": "application/octet-stream", HEADER_LENGTH: str(length)})


def infer_path(model, version=None):
    if version is None:
        return f"/v2/models/{model}/infer"
    return f"/v2/models/{model}/versions/{version}/infer"


def json_input(name, datatype, shape, data):
    return {"name": name, "datatype": datatype, "shape": list(shape), "data": list(data)}


def binary_input(name, datatype, shape, size):
    return {"name": name, "datatype": datatype, "shape": list(shape),
            "parameters": {"binary_data_size": size}}


def simple_inputs_json(batch=1):
    """A valid JSON body for examples/simple (INT32 [batch,16] x 2)."""
    values = list(range(16)) * batch
    return {"inputs": [json_input("INPUT0", "INT32", [batch, 16], values),
                       json_input("INPUT1", "INT32", [batch, 16], values)]}


def assert_other_model_still_serves(server):
    """After a bad request, a good request to a different model must work:
    one broken request never poisons the server."""
    triton = httpclient.InferenceServerClient(url=server.url)
    try:
        data = np.arange(8, dtype=np.float32).reshape(2, 4) * 1.5
        tensor = httpclient.InferInput("INPUT0", list(data.shape), "FP32")
        tensor.set_data_from_numpy(data, binary_data=True)
        result = triton.infer("identity_fp32", [tensor])
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data)
    finally:
        triton.close()
