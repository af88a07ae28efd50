"""The process one Python model instance runs in (inferd's Python backend).

The server starts it with a connected socket (--fd) and the model file; it
loads model.py, then answers frames until the server closes the socket:

  frame   := u32 header length | u64 payload length | header (JSON) | payload
  tensors := header entries {name, datatype, shape, offset, size} into the payload

  {"op": "initialize", "args": {...}}           -> {"ok": true} | {"error": "..."}
  {"op": "auto_complete", "config": {...}}      -> {"config": {...}} | {"error": "..."}
  {"op": "execute", "requests": [...]} + data   -> {"responses": [...]} + data | {"error": "..."}
  {"op": "finalize"}                             -> {"ok": true}

A Python exception in execute fails the requests with its traceback's last
line; an exception escaping this loop ends the process (the server sees the
socket close and fails what was in flight).
"""

import argparse
import asyncio
import importlib.util
import json
import os
import socket
import struct
import sys
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triton_python_backend_utils as pb_utils  # noqa: E402

FRAME = struct.Struct("<IQ")
LENGTH = struct.Struct("<I")
# int64 fields of Triton's model config, which protobuf's JSON writes as
# strings; Triton's model.py files expect numbers (as Triton gives them).
INT64_KEYS = {"dims", "shape", "versions", "max_queue_delay_microseconds", "default_queue_timeout_microseconds",
              "priority_levels", "default_priority_level", "max_queue_size", "timeout_microseconds",
              "max_sequence_idle_microseconds", "preferred_batch_size", "num_versions", "max_candidate_sequences",
              "max_inflight_requests"}


def numbers_for_int64(value, key=None):
    if isinstance(value, dict):
        return {k: numbers_for_int64(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers_for_int64(v, key) for v in value]
    if key in INT64_KEYS and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


class Channel:
    """Frames over the socket, with as few system calls as it takes: reads
    go through a buffer, and a small frame leaves in one send."""

    SMALL = 1 << 16

    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.reader = self.sock.makefile("rb", buffering=self.SMALL)

    def _read_exact(self, size):
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            count = self.reader.readinto(view[got:])
            if not count:
                raise EOFError
            got += count
        return buffer

    def receive(self):
        header_length, payload_length = FRAME.unpack(bytes(self._read_exact(FRAME.size)))
        header = json.loads(self._read_exact(header_length))
        payload = self._read_exact(payload_length) if payload_length else bytearray()
        return header, payload

    def send(self, header, buffers=()):
        encoded = json.dumps(header).encode()
        total = sum(len(b) for b in buffers)
        prefix = FRAME.pack(len(encoded), total) + encoded
        if total <= self.SMALL:
            self.sock.sendall(b"".join([prefix, *buffers]))
            return
        self.sock.sendall(prefix)
        for buffer in buffers:
            self.sock.sendall(buffer)


def tensor_from(entry, payload):
    offset, size = entry["offset"], entry["size"]
    shape = tuple(entry["shape"])
    if entry["datatype"] == "BYTES":
        elements = []
        view = memoryview(payload)[offset:offset + size]
        position = 0
        while position < size:
            (length,) = LENGTH.unpack_from(view, position)
            position += LENGTH.size
            elements.append(bytes(view[position:position + length]))
            position += length
        array = np.empty(len(elements), dtype=np.object_)
        array[:] = elements
        return pb_utils.Tensor(entry["name"], array.reshape(shape))
    dtype = np.dtype(pb_utils._KSERVE_TO_NUMPY[entry["datatype"]])
    count = size // dtype.itemsize
    array = np.frombuffer(payload, dtype=dtype, count=count, offset=offset).reshape(shape)
    return pb_utils.Tensor(entry["name"], array)


def bytes_of(array):
    """The KServe BYTES layout of an object/bytes/str array."""
    parts = []
    for element in array.reshape(-1):
        if isinstance(element, str):
            element = element.encode()
        elif not isinstance(element, (bytes, bytearray)):
            element = str(element).encode()
        parts.append(LENGTH.pack(len(element)))
        parts.append(bytes(element))
    return b"".join(parts)


def encode_outputs(tensors, buffers, offset):
    entries = []
    for tensor in tensors:
        array = tensor.as_numpy()
        datatype = pb_utils.kserve_datatype(array)
        if array.size == 0:
            data = b""  # (memoryview cannot cast a view with a zero in its shape)
        elif datatype == "BYTES":
            data = bytes_of(array)
        else:
            data = memoryview(np.ascontiguousarray(array)).cast("B")
        entries.append({"name": tensor.name(), "datatype": datatype, "shape": list(array.shape),
                        "offset": offset, "size": len(data)})
        buffers.append(data)
        offset += len(data)
    return entries, offset


def error_text(error):
    """The last line of a traceback: 'ValueError: what went wrong'."""
    return traceback.format_exception_only(type(error), error)[-1].strip()


def load_model_class(model_file):
    folder = os.path.dirname(os.path.abspath(model_file))
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("model", model_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules["model"] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "TritonPythonModel"):
        raise pb_utils.TritonModelException(f"{model_file} defines no class TritonPythonModel")
    return module.TritonPythonModel


def bls_caller(channel):
    """pb_utils.InferenceRequest.exec: one {"op": "infer"} frame, one answer."""

    def call(request):
        buffers = []
        inputs, _ = encode_outputs(request.inputs(), buffers, 0)
        channel.send({"op": "infer", "model_name": request.model_name, "model_version": int(request.model_version),
                      "request_id": request.request_id(), "inputs": inputs,
                      "outputs": list(request.requested_output_names())}, buffers)
        reply, payload = channel.receive()
        if "error" in reply:
            return pb_utils.InferenceResponse(error=pb_utils.TritonError(reply["error"]))
        return pb_utils.InferenceResponse([tensor_from(entry, payload) for entry in reply["outputs"]])

    return call


def execute(model, header, payload, loop):
    requests = []
    for entry in header["requests"]:
        inputs = [tensor_from(tensor, payload) for tensor in entry["inputs"]]
        requests.append(pb_utils.InferenceRequest(
            inputs, entry.get("outputs", []), request_id=entry.get("request_id", ""),
            parameters=json.dumps(entry.get("parameters", {}))))
    try:
        responses = model.execute(requests)
        if asyncio.iscoroutine(responses):  # async def execute (BLS with async_exec)
            responses = loop.run_until_complete(responses)
    except Exception as error:  # the model's own failure: these requests fail, the process goes on
        return {"error": error_text(error)}, []
    if responses is None or len(responses) != len(requests):
        got = "None" if responses is None else f"{len(responses)} responses"
        return {"error": f"execute() returned {got} for {len(requests)} requests; return one InferenceResponse "
                         f"per request"}, []
    encoded, buffers, offset = [], [], 0
    for response in responses:
        if not isinstance(response, pb_utils.InferenceResponse):
            return {"error": f"execute() returned a {type(response).__name__}, not a pb_utils.InferenceResponse"}, []
        if response.has_error():
            problem = response.error()
            encoded.append({"error": problem.message() if hasattr(problem, "message") else str(problem)})
            continue
        try:
            outputs, offset = encode_outputs(response.output_tensors(), buffers, offset)
        except Exception as error:
            return {"error": error_text(error)}, []
        encoded.append({"outputs": outputs})
    return {"responses": encoded}, buffers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--model-file", required=True)
    args = parser.parse_args()
    channel = Channel(args.fd)
    pb_utils._BLS_CALL = bls_caller(channel)
    loop = asyncio.new_event_loop()
    pb_utils._MODEL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(args.model_file)))
    model_class = None
    model = None
    try:
        model_class = load_model_class(args.model_file)
        load_error = None
    except Exception as error:
        load_error = f"cannot load {args.model_file}: {error_text(error)}"
    while True:
        try:
            header, payload = channel.receive()
        except EOFError:
            return 0
        op = header.get("op")
        if load_error is not None:
            channel.send({"error": load_error})
            continue
        try:
            if op == "execute":
                reply, buffers = execute(model, header, payload, loop)
                channel.send(reply, buffers)
            elif op == "initialize":
                model = model_class()
                if hasattr(model, "initialize"):
                    arguments = dict(header["args"])
                    arguments["model_config"] = json.dumps(numbers_for_int64(json.loads(arguments["model_config"])))
                    model.initialize(arguments)
                channel.send({"ok": True})
            elif op == "auto_complete":
                config = pb_utils.ModelConfig(numbers_for_int64(header["config"]))
                if hasattr(model_class, "auto_complete_config"):
                    config = model_class.auto_complete_config(config)
                channel.send({"config": config.as_dict()})
            elif op == "finalize":
                if model is not None and hasattr(model, "finalize"):
                    model.finalize()
                channel.send({"ok": True})
                return 0
            else:
                channel.send({"error": f"unknown operation '{op}'"})
        except Exception as error:
            channel.send({"error": error_text(error)})


if __name__ == "__main__":
    sys.exit(main())
