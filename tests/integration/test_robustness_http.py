"""The HTTP robustness table: malformed and hostile requests, sent as raw
bytes, each answered with the right status and a message that names the
problem (under 4 KB), after which the server serves a good request.

Grouped by layer: framing (request line, headers, lengths, chunked bodies),
routing, inference bodies, and encodings. The connection-level cases (limits,
slow clients) are in test_robustness_connections.py.
"""

import gzip
import http.client
import json
import socket
import zlib
from dataclasses import dataclass

import pytest

import http_raw

pytestmark = pytest.mark.timeout(60)

MODEL = "simple"  # INPUT0, INPUT1: INT32 [-1,16], max_batch_size 8
MAX_MESSAGE_BYTES = 4096
VALUES = list(range(16))


@dataclass
class Case:
    id: str
    data: bytes  # the whole request, as sent on the wire
    status: int
    words: tuple = ()  # each must appear in the error message


def _raw(method, target, headers=(), body=b"", version="HTTP/1.1"):
    lines = [f"{method} {target} {version}".encode(), b"Host: 127.0.0.1"]
    lines += [h if isinstance(h, bytes) else h.encode() for h in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _post(target, body, headers=()):
    body = body if isinstance(body, bytes) else body.encode()
    return _raw("POST", target, [f"Content-Length: {len(body)}", *headers], body)


def _infer(payload, model=MODEL, headers=()):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return _post(f"/v2/models/{model}/infer", body, headers)


def _tensor(name="INPUT0", datatype="INT32", shape=(1, 16), data=None):
    return {"name": name, "datatype": datatype, "shape": list(shape), "data": VALUES if data is None else data}


def _two_inputs(first=None, second=None, **extra):
    return {"inputs": [first or _tensor("INPUT0"), second or _tensor("INPUT1")], **extra}


FRAMING = [
    Case("garbage-request-line", b"GARBAGE\r\n\r\n", 400, ("malformed HTTP request",)),
    Case("method-only", b"GET\r\n\r\n", 400, ("malformed HTTP request",)),
    Case("unknown-http-version", _raw("GET", "/v2", version="HTTP/9.9"), 400, ("malformed HTTP request",)),
    Case("lower-case-version", _raw("GET", "/v2", version="http/1.1"), 400, ("malformed HTTP request",)),
    Case("extra-request-line-token", b"GET /v2 HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, ("malformed",)),
    Case("double-space-request-line", b"GET  /v2 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ("malformed",)),
    Case("tab-in-request-line", b"GET\t/v2 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ("malformed",)),
    Case("nul-in-target", b"GET /v2\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ("malformed",)),
    Case("bad-method-characters", b"G@T /v2 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ("malformed",)),
    Case("header-without-colon", _raw("GET", "/v2", ["Broken header"]), 400, ("malformed",)),
    Case("space-in-header-name", _raw("GET", "/v2", ["Bad Name: x"]), 400, ("malformed",)),
    Case("space-before-colon", _raw("GET", "/v2", ["Content-Length : 0"]), 400, ("malformed",)),
    Case("control-character-in-value", _raw("GET", "/v2", ["X-A: a\x01b"]), 400, ("malformed",)),
    Case("bare-cr-in-value", _raw("GET", "/v2", ["X-A: a\rb"]), 400, ("malformed",)),
    Case("bare-lf-line-endings", b"GET /v2 HTTP/1.1\nHost: x\n\n", 400, ("malformed",)),
    Case("content-length-letters", _raw("POST", "/v2/models/simple/infer", ["Content-Length: abc"]), 400,
         ("malformed",)),
    Case("content-length-negative", _raw("POST", "/v2/models/simple/infer", ["Content-Length: -1"]), 400,
         ("malformed",)),
    Case("content-length-plus-sign", _raw("POST", "/v2/models/simple/infer", ["Content-Length: +2"], b"{}"), 400,
         ("malformed",)),
    Case("content-length-overflow",
         _raw("POST", "/v2/models/simple/infer", ["Content-Length: 99999999999999999999999"]), 400,
         ("malformed",)),
    Case("two-different-content-lengths",
         _raw("POST", "/v2/models/simple/infer", ["Content-Length: 2", "Content-Length: 3"], b"{}"), 400,
         ("malformed",)),
    Case("content-length-list", _raw("POST", "/v2/models/simple/infer", ["Content-Length: 2, 3"], b"{}"), 400,
         ("malformed",)),
    Case("chunked-then-identity",
         _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked, identity"], b"2\r\n{}\r\n0\r\n\r\n"),
         400, ("last transfer coding must be chunked", "chunked, identity")),
    Case("chunked-in-two-fields-then-identity",
         _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked", "Transfer-Encoding: identity"],
              b"2\r\n{}\r\n0\r\n\r\n"), 400, ("Transfer-Encoding",)),
    Case("identity-only", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: identity"]), 400,
         ("last transfer coding must be chunked",)),
    Case("gzip-transfer-coding",
         _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: gzip, chunked"], b"0\r\n\r\n"), 501,
         ("'gzip'", "not supported")),
    Case("chunked-twice", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked, chunked"],
                               b"0\r\n\r\n"), 400, ("more than once",)),
    Case("chunked-with-content-length",
         _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked", "Content-Length: 5"],
              b"0\r\n\r\n"), 400, ("Content-Length",)),
    Case("chunked-in-http-1.0",
         _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked"], b"0\r\n\r\n", "HTTP/1.0"), 400,
         ("HTTP/1.0",)),
    Case("chunk-size-not-hex", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked"],
                                    b"zz\r\n{}\r\n0\r\n\r\n"), 400, ("malformed",)),
    Case("chunk-size-overflow", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked"],
                                     b"fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), 400, ("malformed",)),
    Case("chunk-without-crlf", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked"],
                                    b"2\r\n{}XX0\r\n\r\n"), 400, ("malformed",)),
    Case("chunk-larger-than-limit", _raw("POST", "/v2/models/simple/infer", ["Transfer-Encoding: chunked"],
                                         b"8000000\r\n"), 413, ("maximum input size",)),
    Case("body-over-limit", _raw("POST", "/v2/models/simple/infer", ["Content-Length: 67108865"]), 413,
         ("maximum input size", "67108864")),
    Case("expect-continue-over-limit",
         _raw("POST", "/v2/models/simple/infer", ["Content-Length: 67108865", "Expect: 100-continue"]), 413,
         ("maximum input size",)),
    Case("header-over-limit", _raw("GET", "/v2", ["X-Big: " + "a" * 70000]), 431, ("request header exceeds",)),
    Case("many-headers-over-limit", _raw("GET", "/v2", [f"X-H{i}: {'b' * 60}" for i in range(1200)]), 431,
         ("request header exceeds",)),
]

ROUTING = [
    Case("unknown-model", _raw("GET", "/v2/models/no_such_model"), 404, ("no_such_model", "unknown model")),
    Case("unknown-model-infer", _infer(_two_inputs(), model="no_such_model"), 404, ("no_such_model",)),
    Case("model-name-of-8-kib", _raw("GET", "/v2/models/" + "m" * 8192), 404, ("unknown model", "8192 bytes")),
    Case("unknown-version", _raw("GET", "/v2/models/simple/versions/7"), 404, ("simple", "version 7")),
    Case("version-not-a-number", _raw("GET", "/v2/models/simple/versions/abc"), 400, ("abc",)),
    Case("version-negative", _raw("GET", "/v2/models/simple/versions/-1/ready"), 400, ("-1",)),
    Case("version-overflow", _raw("GET", "/v2/models/simple/versions/99999999999999999999"), 400,
         ("99999999999999999999",)),
    # Triton's exact words for a path it does not serve and a wrong method.
    Case("unknown-route", _raw("GET", "/v2/nothing/here"), 404, ("Not Found",)),
    Case("not-v2", _raw("GET", "/v1/models/simple"), 404, ("Not Found",)),
    Case("bad-percent-escape", _raw("GET", "/v2/models/sim%zzple"), 400, ("escape",)),
    Case("encoded-nul", _raw("GET", "/v2/models/sim%00ple"), 400, ("NUL",)),
    Case("dot-dot-path", _raw("GET", "/v2/models/../../etc/passwd"), 404, ()),
    Case("infer-with-get", _raw("GET", "/v2/models/simple/infer"), 405, ("Method Not Allowed",)),
    Case("health-with-post", _post("/v2/health/ready", b""), 405, ("Method Not Allowed",)),
    Case("metadata-with-delete", _raw("DELETE", "/v2/models/simple"), 405, ("Method Not Allowed",)),
    Case("asterisk-target", _raw("OPTIONS", "*"), 404, ()),
    Case("unsupported-extension", _post("/v2/systemsharedmemory/region/r/register", b"{}"), 501, ()),
]

INFER_BODY = [
    Case("empty-body", _infer(b""), 400, (MODEL,)),
    Case("truncated-json", _infer(b'{"inputs": ['), 400, (MODEL, "malformed JSON")),
    Case("json-array", _infer(b"[1, 2]"), 400, (MODEL,)),
    Case("json-string", _infer(b'"inputs"'), 400, (MODEL,)),
    Case("trailing-garbage", _infer(json.dumps(_two_inputs()) + "}}"), 400, (MODEL,)),
    Case("deep-nesting", _infer(b"[" * 100000 + b"]" * 100000), 400, (MODEL,)),
    Case("invalid-utf8", _infer(b'{"inputs": [], "id": "\xff\xfe"}'), 400, (MODEL,)),
    Case("nan-token", _infer(b'{"inputs": [{"name": "INPUT0", "datatype": "FP32", "shape": [1], "data": [NaN]}]}'),
         400, (MODEL,)),
    Case("inputs-not-array", _infer({"inputs": 5}), 400, (MODEL, "inputs")),
    Case("no-inputs", _infer({"inputs": []}), 400, (MODEL, "expected 2 inputs")),
    Case("inputs-missing", _infer({"outputs": []}), 400, (MODEL, "inputs")),
    Case("input-without-name", _infer({"inputs": [{"datatype": "INT32", "shape": [1, 16], "data": VALUES}]}), 400,
         (MODEL, "name")),
    Case("input-without-datatype", _infer({"inputs": [{"name": "INPUT0", "shape": [1, 16], "data": VALUES}]}), 400,
         (MODEL, "datatype")),
    Case("input-without-shape", _infer({"inputs": [{"name": "INPUT0", "datatype": "INT32", "data": VALUES}]}), 400,
         (MODEL, "shape")),
    Case("input-without-data", _infer({"inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16]},
                                                  _tensor("INPUT1")]}), 400, (MODEL, "INPUT0")),
    Case("name-not-string", _infer(_two_inputs(first=_tensor(name=7))), 400, (MODEL, "name")),
    Case("shape-not-array", _infer(_two_inputs(first={**_tensor(), "shape": 16})), 400, (MODEL, "shape")),
    Case("shape-negative", _infer(_two_inputs(first=_tensor(shape=(1, -16)))), 400, (MODEL, "INPUT0")),
    Case("shape-float", _infer(_two_inputs(first={**_tensor(), "shape": [1, 16.5]})), 400, (MODEL, "INPUT0")),
    Case("shape-string", _infer(_two_inputs(first={**_tensor(), "shape": ["1", "16"]})), 400, (MODEL, "INPUT0")),
    Case("shape-huge", _infer(_two_inputs(first=_tensor(shape=(1, 2**62)))), 400, (MODEL, "INPUT0")),
    Case("shape-beyond-int64", _infer(_two_inputs(first=_tensor(shape=(1, 2**64)))), 400, (MODEL, "INPUT0")),
    Case("shape-100000-dims", _infer(_two_inputs(first=_tensor(shape=[1] * 100000))), 400,
         (MODEL, "INPUT0", "100000 dimensions")),
    Case("wrong-shape", _infer(_two_inputs(first=_tensor(shape=(1, 15), data=VALUES[:15]))), 400,
         (MODEL, "INPUT0", "unexpected shape")),
    Case("batch-over-max", _infer(_two_inputs(first=_tensor(shape=(9, 16), data=VALUES * 9),
                                             second=_tensor("INPUT1", shape=(9, 16), data=VALUES * 9))), 400,
         (MODEL, "batch-size must be <= 8")),
    Case("too-few-values", _infer(_two_inputs(first=_tensor(data=VALUES[:10]))), 400, (MODEL, "INPUT0")),
    Case("too-many-values", _infer(_two_inputs(first=_tensor(data=VALUES * 2))), 400, (MODEL, "INPUT0")),
    Case("string-values-for-int32", _infer(_two_inputs(first=_tensor(data=["a"] * 16))), 400, (MODEL, "INPUT0")),
    Case("float-values-for-int32", _infer(_two_inputs(first=_tensor(data=[0.5] * 16))), 400, (MODEL, "INPUT0")),
    Case("value-beyond-int32", _infer(_two_inputs(first=_tensor(data=[2**40] * 16))), 400, (MODEL, "INPUT0")),
    Case("value-1e999", _infer(b'{"inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], '
                               b'"data": [1e999]}]}'), 400, (MODEL,)),
    Case("data-an-object", _infer(_two_inputs(first=_tensor(data={"a": 1}))), 400, (MODEL, "INPUT0")),
    Case("unknown-datatype", _infer(_two_inputs(first=_tensor(datatype="FP99"))), 400, (MODEL, "FP99")),
    Case("datatype-long-unknown", _infer(_two_inputs(first=_tensor(datatype="X" * 50000))), 400, (MODEL,)),
    Case("wrong-datatype", _infer(_two_inputs(first=_tensor(datatype="FP32", data=[0.5] * 16))), 400,
         (MODEL, "INPUT0", "FP32", "INT32")),
    Case("duplicate-input", _infer({"inputs": [_tensor("INPUT0"), _tensor("INPUT0")]}), 400,
         (MODEL, "INPUT0", "more than once")),
    Case("unknown-input", _infer({"inputs": [_tensor("INPUT0"), _tensor("INPUT1"), _tensor("EXTRA")]}), 400,
         (MODEL, "EXTRA")),
    Case("input-name-of-100-kb", _infer({"inputs": [_tensor("INPUT0"), _tensor("I" * 100000)]}), 400,
         (MODEL, "100000 bytes")),
    Case("10000-inputs", _infer({"inputs": [_tensor(f"IN{i}", shape=(1, 1), data=[0]) for i in range(10000)]}), 400,
         (MODEL,)),
    Case("unknown-output", _infer(_two_inputs(outputs=[{"name": "NOPE"}])), 400, (MODEL, "NOPE")),
    Case("duplicate-output", _infer(_two_inputs(outputs=[{"name": "OUTPUT0"}, {"name": "OUTPUT0"}])), 400,
         (MODEL, "OUTPUT0", "more than once")),
    Case("outputs-not-array", _infer(_two_inputs(outputs={"name": "OUTPUT0"})), 400, (MODEL, "outputs")),
    Case("output-without-name", _infer(_two_inputs(outputs=[{}])), 400, (MODEL, "name")),
    Case("parameters-not-object", _infer(_two_inputs(parameters=[1])), 400, (MODEL, "parameters")),
    Case("binary-data-not-bool", _infer(_two_inputs(outputs=[{"name": "OUTPUT0", "parameters": {"binary_data": 3}}])),
         400, (MODEL, "binary_data")),
    Case("classification-not-int", _infer(_two_inputs(outputs=[{"name": "OUTPUT0",
                                                                 "parameters": {"classification": "x"}}])), 400,
         (MODEL, "classification")),
    Case("id-not-string", _infer(_two_inputs(id=5)), 400, (MODEL, "id")),
    Case("shared-memory-input", _infer(_two_inputs(first={"name": "INPUT0", "datatype": "INT32", "shape": [1, 16],
                                                          "parameters": {"shared_memory_region": "r",
                                                                         "shared_memory_byte_size": 64}})), 501,
         (MODEL, "INPUT0", "shared-memory")),
    Case("binary-size-negative", _infer(_two_inputs(first={"name": "INPUT0", "datatype": "INT32", "shape": [1, 16],
                                                           "parameters": {"binary_data_size": -4}})), 400,
         (MODEL, "INPUT0")),
    Case("binary-size-beyond-body", _infer(_two_inputs(first={"name": "INPUT0", "datatype": "INT32",
                                                              "shape": [1, 16],
                                                              "parameters": {"binary_data_size": 64}})), 400,
         (MODEL, "INPUT0")),
    Case("header-length-not-a-number", _infer(_two_inputs(), headers=["Inference-Header-Content-Length: twelve"]),
         400, (MODEL, "Inference-Header-Content-Length")),
    Case("header-length-negative", _infer(_two_inputs(), headers=["Inference-Header-Content-Length: -5"]), 400,
         (MODEL, "Inference-Header-Content-Length")),
    Case("header-length-beyond-body", _infer(_two_inputs(), headers=["Inference-Header-Content-Length: 999999"]),
         400, (MODEL, "Inference-Header-Content-Length")),
    Case("raw-request-for-two-inputs", _infer(b"\x00" * 64, headers=["Inference-Header-Content-Length: 0"]), 400,
         (MODEL, "Raw request")),
    Case("version-zero-infer", _post("/v2/models/simple/versions/0/infer", json.dumps(_two_inputs())), 400,
         ("0",)),
]

ENCODINGS = [
    Case("gzip-not-gzip", _infer(b"this is not gzip", headers=["Content-Encoding: gzip"]), 400, ("gzip",)),
    Case("gzip-truncated", _infer(gzip.compress(json.dumps(_two_inputs()).encode())[:20],
                                  headers=["Content-Encoding: gzip"]), 400, ("gzip",)),
    Case("deflate-not-deflate", _infer(b"\x00\x01\x02\x03", headers=["Content-Encoding: deflate"]), 400,
         ("deflate",)),
    Case("gzip-bomb", _infer(gzip.compress(b" " * (80 << 20)), headers=["Content-Encoding: gzip"]), 413,
         ("maximum input size",)),
    Case("deflate-bomb", _infer(zlib.compress(b" " * (80 << 20)), headers=["Content-Encoding: deflate"]), 413,
         ("maximum input size",)),
    Case("unknown-content-encoding", _infer(json.dumps(_two_inputs()), headers=["Content-Encoding: br"]), 415,
         ("br",)),
    Case("gzip-of-bad-json", _infer(gzip.compress(b'{"inputs": ['), headers=["Content-Encoding: gzip"]), 400,
         (MODEL,)),
]

TABLE = FRAMING + ROUTING + INFER_BODY + ENCODINGS


def _exchange(port, data, timeout=30):
    """Sends `data` on a fresh connection and parses the one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def test_the_table_is_as_large_as_promised():
    assert len(TABLE) >= 100
    assert len({case.id for case in TABLE}) == len(TABLE)


@pytest.mark.parametrize("case", TABLE, ids=[case.id for case in TABLE])
def test_malformed_request(server, case):
    status, body = _exchange(server.http_port, case.data)
    assert len(body) < MAX_MESSAGE_BYTES, f"{len(body)}-byte error body: {body[:200]!r}"
    try:
        message = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        pytest.fail(f"HTTP {status} without a JSON error body: {body[:300]!r}")
    assert status == case.status, f"expected {case.status}, got {status}: {message}"
    for word in case.words:
        assert word in message, f"{message!r} does not mention {word!r}"
    http_raw.assert_other_model_still_serves(server)


def test_absolute_form_target_is_served(server):
    status, body = _exchange(server.http_port, _raw("GET", f"http://127.0.0.1:{server.http_port}/v2/health/ready"))
    assert status == 200, body
    status, body = _exchange(server.http_port,
                             _raw("GET", f"HTTP://127.0.0.1:{server.http_port}/v2/models/{MODEL}/ready"))
    assert status == 200, body
