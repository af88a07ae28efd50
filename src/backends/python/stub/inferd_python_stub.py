"""The process one Python model instance runs in (inferd's Python backend).

The server starts it with a connected socket (--fd) and the model file; it
loads model.py, then answers frames until the server closes the socket:

  frame   := u8 kind | u32 header length | u64 payload length | u64 tag | header (JSON) | payload
  tensors := header entries {name, datatype, shape, offset, size} into the payload

A payload of 64 KiB or more lies in shared memory instead (--regions, see
inferd_shared_arena.py): the kind has bit 0x80 set and the payload is a u64
block offset and a u64 length in the sender's region.

Server to stub: CALL (tag: the call's number) and MODEL_CALL_REPLY (tag: the
BLS call it answers). Stub to server: REPLY (to a CALL), RESPONSE (one
response of one request of an execute CALL) and MODEL_CALL (a BLS request).

  CALL {"op": "initialize", "args": {...}}       -> REPLY {"ok": true} | {"error": "..."}
  CALL {"op": "auto_complete", "config": {...}}  -> REPLY {"config": {...}} | {"error": "..."}
  CALL {"op": "execute", "requests": [...]}      -> REPLY {"responses": [...]} | {"done": true} | {"error": "..."}
                                                    and RESPONSE {"request": i, "final": bool,
                                                    "outputs"|"error"} frames from the response senders
  CALL {"op": "finalize"}                        -> REPLY {"ok": true}
  MODEL_CALL {"model_name": ..., "decoupled": bool, "inputs": [...]} -> MODEL_CALL_REPLY
                                                    {"final": bool, "outputs"|"error"} (one or more)

A Python exception in execute fails the requests with its traceback's last
line; an exception escaping this loop ends the process (the server sees the
socket close and fails what was in flight). Frames are read by whichever
thread waits for one (the main loop for CALLs, a BLS caller for its
replies), so BLS calls from execute, from coroutines and from a decoupled
model's own threads all get their answers.
"""

import argparse
import asyncio
import collections
import importlib.util
import itertools
import json
import os
import socket
import struct
import sys
import threading
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inferd_shared_arena as arena  # noqa: E402
import triton_python_backend_utils as pb_utils  # noqa: E402

FRAME = struct.Struct("<BIQQ")
CALL, MODEL_CALL_REPLY, REPLY, RESPONSE, MODEL_CALL = 1, 2, 3, 4, 5
IN_SHARED_MEMORY = 0x80
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
    """Frames over the socket. Reads go through a buffer; a small frame
    leaves in one send; sends from several threads do not interleave."""

    SMALL = 1 << 16

    def __init__(self, fd, regions=None, region_bytes=0):
        self.to_stub = self.to_server = None
        if regions:
            to_stub_fd, to_server_fd = (int(fd) for fd in regions.split(","))
            self.to_stub = arena.ArenaReader(arena.map_region(to_stub_fd, region_bytes))
            self.to_server = arena.ArenaWriter(arena.map_region(to_server_fd, region_bytes))
        self.sock = socket.socket(fileno=fd)
        self.reader = self.sock.makefile("rb", buffering=self.SMALL)
        self.write_lock = threading.Lock()
        self.state = threading.Condition()
        self.reading = False  # a thread is reading a frame (the others wait)
        self.closed = False
        self.calls = collections.deque()
        self.model_call_replies = {}  # BLS call id -> frames not yet taken

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

    def _read_bytes(self, size):
        data = self.reader.read(size)  # loops over short reads; short only at EOF
        if len(data) < size:
            raise EOFError
        return data

    def _read_frame(self):
        kind, header_length, payload_length, tag = FRAME.unpack(self._read_bytes(FRAME.size))
        header = json.loads(self._read_bytes(header_length))
        payload = self._read_exact(payload_length) if payload_length else bytearray()
        if kind & IN_SHARED_MEMORY:
            if self.to_stub is None or payload_length != arena.DESCRIPTOR.size:
                raise EOFError  # not a frame this process can read: leave
            try:
                payload = self.to_stub.lease(*arena.DESCRIPTOR.unpack(payload))
            except ValueError:
                raise EOFError from None  # the server would never send this: leave
            kind &= ~IN_SHARED_MEMORY
        return kind, tag, header, payload

    def _wait_for(self, take):
        """Returns take()'s first value that is not None, reading frames
        (or waiting for the thread that reads them) until there is one."""
        with self.state:
            while True:
                value = take()
                if value is not None:
                    return value
                if self.closed:
                    raise EOFError
                if self.reading:
                    self.state.wait()
                    continue
                self.reading = True
                self.state.release()
                try:
                    frame = self._read_frame()
                except (EOFError, OSError):
                    frame = None
                finally:
                    self.state.acquire()
                    self.reading = False
                if frame is None:
                    self.closed = True
                elif frame[0] == MODEL_CALL_REPLY:
                    # A reply for a BLS call nobody waits for any more (its
                    # reader gave up) is dropped, never taken for a CALL.
                    if frame[1] in self.model_call_replies:
                        self.model_call_replies[frame[1]].append((frame[2], frame[3]))
                elif frame[0] == CALL:
                    self.calls.append(frame)
                # Not held while this thread waits on: a payload in shared
                # memory goes back once nothing refers to it.
                frame = None
                self.state.notify_all()

    def next_call(self):
        return self._wait_for(lambda: self.calls.popleft() if self.calls else None)

    def expect_model_call_replies(self, call_id):
        with self.state:
            self.model_call_replies[call_id] = collections.deque()

    def next_model_call_reply(self, call_id):
        waiting = self.model_call_replies[call_id]
        return self._wait_for(lambda: waiting.popleft() if waiting else None)

    def forget_model_call(self, call_id):
        with self.state:
            self.model_call_replies.pop(call_id, None)

    def send(self, kind, tag, header, buffers=()):
        encoded = json.dumps(header).encode()
        total = sum(len(b) for b in buffers)
        if total >= arena.SHARED_PAYLOAD_MIN and self.to_server is not None:
            block = self.to_server.allocate(total)
            if block is not None:
                self.to_server.write(block, buffers)
                kind |= IN_SHARED_MEMORY
                buffers, total = [arena.DESCRIPTOR.pack(block, total)], arena.DESCRIPTOR.size
        prefix = FRAME.pack(kind, len(encoded), total, tag) + encoded
        with self.write_lock:
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


def response_of(header, payload):
    if "error" in header:
        return pb_utils.InferenceResponse(error=pb_utils.TritonError(header["error"]))
    return pb_utils.InferenceResponse([tensor_from(entry, payload) for entry in header.get("outputs", [])])


def model_calls(channel):
    """pb_utils.InferenceRequest.exec/async_exec: a MODEL_CALL frame out, its
    replies (one, or a decoupled model's many) back."""
    numbers = itertools.count(1)

    def parameters_of(request):
        """The request's parameters, with its correlation id and sequence flags
        as the KServe parameters the server reads them from."""
        parameters = json.loads(request.parameters())
        if request.correlation_id():
            parameters["sequence_id"] = request.correlation_id()
        if request.flags() & pb_utils.TRITONSERVER_REQUEST_FLAG_SEQUENCE_START:
            parameters["sequence_start"] = True
        if request.flags() & pb_utils.TRITONSERVER_REQUEST_FLAG_SEQUENCE_END:
            parameters["sequence_end"] = True
        return parameters

    def send(request, decoupled):
        call_id = next(numbers)
        buffers = []
        inputs, _ = encode_outputs(request.inputs(), buffers, 0)
        channel.expect_model_call_replies(call_id)
        channel.send(MODEL_CALL, call_id, {
            "model_name": request.model_name, "model_version": int(request.model_version),
            "request_id": request.request_id(), "decoupled": decoupled, "inputs": inputs,
            "outputs": list(request.requested_output_names()), "parameters": parameters_of(request),
            "timeout": int(request.timeout or 0)}, buffers)
        return call_id

    def stream(call_id):
        """The call's responses as they arrive, up to the final one."""
        try:
            while True:
                header, payload = channel.next_model_call_reply(call_id)
                yield response_of(header, payload)
                if header.get("final", True):
                    return
        finally:
            channel.forget_model_call(call_id)

    return send, stream


def response_sender(channel, tag, index):
    """What one request's InferenceResponseSender sends through: a RESPONSE frame."""

    def send(response, final):
        header, buffers = {"request": index, "final": final}, []
        if response is not None:
            if response.has_error():
                header["error"] = error_message(response.error())
            else:
                header["outputs"], _ = encode_outputs(response.output_tensors(), buffers, 0)
        channel.send(RESPONSE, tag, header, buffers)

    return send


def error_message(problem):
    return problem.message() if hasattr(problem, "message") else str(problem)


def execute(model, tag, header, payload, loop, channel, decoupled):
    requests = []
    for index, entry in enumerate(header["requests"]):
        inputs = [tensor_from(tensor, payload) for tensor in entry["inputs"]]
        sender = pb_utils.InferenceResponseSender(response_sender(channel, tag, index), decoupled)
        requests.append(pb_utils.InferenceRequest(
            inputs, entry.get("outputs", []), request_id=entry.get("request_id", ""),
            correlation_id=entry.get("correlation_id", 0), flags=entry.get("flags", 0),
            parameters=json.dumps(entry.get("parameters", {})), _sender=sender))
    try:
        responses = model.execute(requests)
        if asyncio.iscoroutine(responses):  # async def execute (BLS with async_exec)
            responses = loop.run_until_complete(responses)
    except Exception as error:  # the model's own failure: these requests fail, the process goes on
        return {"error": error_text(error)}, []
    if decoupled or responses is None:
        if responses is not None:
            return {"error": "the model is using the decoupled mode and the execute function must return None"}, []
        if not decoupled and not all(request.get_response_sender().is_closed() for request in requests):
            return {"error": f"execute() returned None for {len(requests)} requests; return one InferenceResponse "
                             f"per request"}, []
        return {"done": True}, []
    if len(responses) != len(requests):
        return {"error": f"execute() returned {len(responses)} responses for {len(requests)} requests; return one "
                         f"InferenceResponse per request"}, []
    encoded, buffers, offset = [], [], 0
    for response in responses:
        if not isinstance(response, pb_utils.InferenceResponse):
            return {"error": f"execute() returned a {type(response).__name__}, not a pb_utils.InferenceResponse"}, []
        if response.has_error():
            encoded.append({"error": error_message(response.error())})
            continue
        try:
            outputs, offset = encode_outputs(response.output_tensors(), buffers, offset)
        except Exception as error:
            encoded.append({"error": error_text(error)})
            continue
        encoded.append({"outputs": outputs})
    return {"responses": encoded}, buffers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--model-file", required=True)
    parser.add_argument("--regions", help="the shared-memory regions' fds: to this process, to the server")
    parser.add_argument("--region-bytes", type=int, default=0)
    args = parser.parse_args()
    channel = Channel(args.fd, args.regions, args.region_bytes)
    pb_utils._BLS_SEND, pb_utils._BLS_STREAM = model_calls(channel)
    loop = asyncio.new_event_loop()
    pb_utils._MODEL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(args.model_file)))
    model_class = None
    model = None
    decoupled = False
    try:
        model_class = load_model_class(args.model_file)
        load_error = None
    except Exception as error:
        load_error = f"cannot load {args.model_file}: {error_text(error)}"
    def handle(call):
        """Answers one CALL; False once the process should leave. Its locals
        (the call's payload among them) are gone when it returns: a payload
        in shared memory goes back to the server once nothing refers to it."""
        nonlocal model, decoupled
        _, tag, header, payload = call
        op = header.get("op")

        def reply(answer, buffers=()):
            channel.send(REPLY, tag, answer, buffers)

        if load_error is not None:
            reply({"error": load_error})
            return True
        try:
            if op == "execute":
                reply(*execute(model, tag, header, payload, loop, channel, decoupled))
            elif op == "initialize":
                model = model_class()
                arguments = dict(header["args"])
                config = numbers_for_int64(json.loads(arguments["model_config"]))
                decoupled = pb_utils.using_decoupled_model_transaction_policy(config)
                if hasattr(model, "initialize"):
                    arguments["model_config"] = json.dumps(config)
                    model.initialize(arguments)
                reply({"ok": True})
            elif op == "auto_complete":
                config = pb_utils.ModelConfig(numbers_for_int64(header["config"]))
                if hasattr(model_class, "auto_complete_config"):
                    config = model_class.auto_complete_config(config)
                reply({"config": config.as_dict()})
            elif op == "finalize":
                if model is not None and hasattr(model, "finalize"):
                    model.finalize()
                reply({"ok": True})
                return False
            else:
                reply({"error": f"unknown operation '{op}'"})
        except Exception as error:
            reply({"error": error_text(error)})
        return True

    while True:
        try:
            if not handle(channel.next_call()):
                return 0
        except EOFError:
            return 0

if __name__ == "__main__":
    sys.exit(main())
