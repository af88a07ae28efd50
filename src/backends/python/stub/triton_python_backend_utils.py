"""Triton's Python model API (`import triton_python_backend_utils as pb_utils`)
as inferd's Python backend serves it: the names and behaviour a model.py
written for Triton uses. The stub process (inferd_python_stub.py) fills the
requests and reads the responses; a model only sees this module.
"""

import json
import logging
import sys
import threading

import numpy as np

# Flags, as Triton numbers them.
TRITONSERVER_REQUEST_FLAG_SEQUENCE_START = 1
TRITONSERVER_REQUEST_FLAG_SEQUENCE_END = 2
TRITONSERVER_RESPONSE_COMPLETE_FINAL = 1
TRITONSERVER_REQUEST_RELEASE_ALL = 1
TRITONSERVER_REQUEST_RELEASE_RESCHEDULE = 2

_TRITON_TO_NUMPY = {
    "TYPE_BOOL": np.bool_, "TYPE_UINT8": np.uint8, "TYPE_UINT16": np.uint16, "TYPE_UINT32": np.uint32,
    "TYPE_UINT64": np.uint64, "TYPE_INT8": np.int8, "TYPE_INT16": np.int16, "TYPE_INT32": np.int32,
    "TYPE_INT64": np.int64, "TYPE_FP16": np.float16, "TYPE_FP32": np.float32, "TYPE_FP64": np.float64,
    "TYPE_STRING": np.object_,
}
# KServe datatype names (what crosses the process boundary) <-> numpy.
_KSERVE_TO_NUMPY = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
    "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64, "FP16": np.float16,
    "FP32": np.float32, "FP64": np.float64, "BYTES": np.object_,
}
_NUMPY_TO_KSERVE = {np.dtype(numpy_type): name for name, numpy_type in _KSERVE_TO_NUMPY.items() if name != "BYTES"}
# Triton's enum values (model_config.proto DataType), for numpy_to_triton_type.
_TRITON_TYPE_VALUES = {
    "TYPE_BOOL": 1, "TYPE_UINT8": 2, "TYPE_UINT16": 3, "TYPE_UINT32": 4, "TYPE_UINT64": 5, "TYPE_INT8": 6,
    "TYPE_INT16": 7, "TYPE_INT32": 8, "TYPE_INT64": 9, "TYPE_FP16": 10, "TYPE_FP32": 11, "TYPE_FP64": 12,
    "TYPE_STRING": 13,
}


def triton_string_to_numpy(triton_type_string):
    return _TRITON_TO_NUMPY[triton_type_string]


def numpy_to_triton_type(data_type):
    for name, numpy_type in _TRITON_TO_NUMPY.items():
        if np.dtype(numpy_type) == np.dtype(data_type) and name != "TYPE_STRING":
            return _TRITON_TYPE_VALUES[name]
    if data_type in (np.object_, np.bytes_) or np.dtype(data_type).kind in ("O", "S", "U"):
        return _TRITON_TYPE_VALUES["TYPE_STRING"]
    return None


def triton_to_numpy_type(data_type):
    for name, value in _TRITON_TYPE_VALUES.items():
        if value == data_type:
            return _TRITON_TO_NUMPY[name]
    return None


def kserve_datatype(array):
    """The KServe datatype name of a numpy array."""
    name = _NUMPY_TO_KSERVE.get(array.dtype)
    if name is not None:
        return name
    if array.dtype.kind in ("O", "S", "U"):
        return "BYTES"
    raise TritonModelException(f"numpy dtype {array.dtype} has no Triton datatype")


class TritonError(Exception):
    """An error a model returns in an InferenceResponse (Triton's codes)."""

    UNKNOWN = 0
    INTERNAL = 1
    NOT_FOUND = 2
    INVALID_ARG = 3
    UNAVAILABLE = 4
    UNSUPPORTED = 5
    ALREADY_EXISTS = 6
    CANCELLED = 7

    def __init__(self, message, code=INTERNAL):
        super().__init__(message)
        self._message = message
        self._code = code

    def message(self):
        return self._message

    def code(self):
        return self._code


class TritonModelException(Exception):
    """Raised by this module for a misuse; a model may raise it too."""

    def message(self):
        return str(self)


class Tensor:
    """A named tensor. BYTES tensors are numpy object arrays of bytes."""

    def __init__(self, name, array, dtype=None):
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        self._name = name
        self._array = array

    def name(self):
        return self._name

    def as_numpy(self):
        return self._array

    def is_cpu(self):
        return True

    def shape(self):
        return list(self._array.shape)

    def triton_dtype(self):
        return numpy_to_triton_type(self._array.dtype)

    def to_dlpack(self):
        if self._array.dtype == np.object_:
            raise TritonModelException(f"tensor '{self._name}': BYTES tensors have no DLPack form")
        return self._array.__dlpack__()

    @staticmethod
    def from_dlpack(name, capsule):
        return Tensor(name, np.from_dlpack(capsule) if hasattr(capsule, "__dlpack__") else np.asarray(capsule))


class InferenceRequest:
    """A request as execute() receives it."""

    def __init__(self, inputs=(), requested_output_names=(), request_id="", correlation_id=0, parameters="{}",
                 flags=0, model_name="", model_version=-1, timeout=0, _sender=None, **_):
        self._inputs = list(inputs)
        self._requested_output_names = list(requested_output_names)
        self._request_id = request_id
        self._correlation_id = correlation_id
        self._parameters = parameters if isinstance(parameters, str) else json.dumps(parameters)
        self._flags = flags
        self.model_name = model_name
        self.model_version = model_version
        self.timeout = timeout
        self._sender = _sender

    def inputs(self):
        return self._inputs

    def requested_output_names(self):
        return self._requested_output_names

    def request_id(self):
        return self._request_id

    def correlation_id(self):
        return self._correlation_id

    def parameters(self):
        return self._parameters

    def flags(self):
        return self._flags

    def is_cancelled(self):
        return False

    def get_response_sender(self):
        """The sender this request's responses go through (decoupled models
        send any number; others may send one, then the final flag)."""
        if self._sender is None:
            raise TritonModelException("get_response_sender: only requests given to execute() have a sender")
        return self._sender

    def exec(self, decoupled=False):
        """BLS: runs this request on `model_name` through the server (its
        scheduler, batching and statistics). Returns the InferenceResponse
        (a failure is the response's error, as in Triton); with
        decoupled=True, an iterator over the model's responses, the last of
        which may be empty (the completion alone)."""
        call = self._start_call(decoupled)
        return _BLS_STREAM(call) if decoupled else list(_BLS_STREAM(call))[-1]

    def async_exec(self, decoupled=False):
        """exec() as an awaitable. The request leaves at once, so requests
        gathered together run at the same time on the server."""
        call = self._start_call(decoupled)

        async def answered():
            return _BLS_STREAM(call) if decoupled else list(_BLS_STREAM(call))[-1]

        return answered()

    def _start_call(self, decoupled):
        if not self.model_name:
            raise TritonModelException("InferenceRequest.exec: give model_name= to say which model to call")
        if _BLS_SEND is None:
            raise TritonModelException("InferenceRequest.exec can only be called inside a model's process")
        return _BLS_SEND(self, bool(decoupled))


class InferenceResponseSender:
    """pb_utils' response sender: send(response=None, flags=0). The final
    send carries TRITONSERVER_RESPONSE_COMPLETE_FINAL; nothing may follow it."""

    def __init__(self, send, decoupled):
        self._send = send  # (response or None, final) -> None, set by the stub
        self._decoupled = decoupled
        self._sent = 0
        self._closed = False
        self._lock = threading.Lock()

    def send(self, response=None, flags=0):
        if flags not in (0, TRITONSERVER_RESPONSE_COMPLETE_FINAL):
            raise TritonModelException("Unable to send response. Unsupported flag provided.")
        if flags == 0 and response is None:
            raise TritonModelException(
                "Inference Response object must be provided when the response flags is set to zero.")
        final = flags == TRITONSERVER_RESPONSE_COMPLETE_FINAL
        with self._lock:
            if not self._decoupled:
                if response is not None and self._sent > 0:
                    raise TritonModelException(
                        "Unable to send response. Non-decoupled model cannot send more than one response.")
                if response is None and final and self._sent == 0:
                    raise TritonModelException(
                        "Unable to send response. Non-decoupled model cannot send complete final before sending "
                        "a response.")
            if self._closed:
                raise TritonModelException("Unable to send response. Response sender has been closed.")
            self._send(response, final)  # closed only once it has really gone
            if final:
                self._closed = True
            self._sent += 1

    def is_closed(self):
        return self._closed

    def __del__(self):
        # A decoupled model that dropped its sender without the final flag
        # would leave its client waiting for ever: the request fails instead.
        # From a thread of its own, because garbage collection may run this
        # while the same thread is in the middle of a send.
        if not self._decoupled or self._closed:
            return
        try:
            error = InferenceResponse(error=TritonError(
                "the model dropped the request's response sender without sending "
                "TRITONSERVER_RESPONSE_COMPLETE_FINAL"))
            threading.Thread(target=self._send, args=(error, True), daemon=True).start()
        except Exception:  # the interpreter is shutting down: the server fails the request when the process ends
            pass


class InferenceResponse:
    def __init__(self, output_tensors=None, error=None, parameters=None):
        self._output_tensors = list(output_tensors or [])
        self._error = error
        self._parameters = parameters

    def output_tensors(self):
        return self._output_tensors

    def has_error(self):
        return self._error is not None

    def error(self):
        return self._error


def get_input_tensor_by_name(request, name):
    for tensor in request.inputs():
        if tensor.name() == name:
            return tensor
    return None


def get_output_tensor_by_name(response, name):
    for tensor in response.output_tensors():
        if tensor.name() == name:
            return tensor
    return None


def _config_entry(model_config, section, name):
    for entry in model_config.get(section, []):
        if entry.get("name") == name:
            return entry
    return None


def get_input_config_by_name(model_config, name):
    return _config_entry(model_config, "input", name)


def get_output_config_by_name(model_config, name):
    return _config_entry(model_config, "output", name)


class ModelConfig:
    """The config auto_complete_config receives and may fill in."""

    def __init__(self, config):
        self._config = config

    def as_dict(self):
        return self._config

    def max_batch_size(self):
        return int(self._config.get("max_batch_size", 0))

    def set_max_batch_size(self, max_batch_size):
        self._config["max_batch_size"] = int(max_batch_size)

    def _add(self, section, tensor):
        if not isinstance(tensor, dict) or "name" not in tensor:
            raise TritonModelException(f"add_{section}: expects a dict with at least 'name'")
        existing = _config_entry(self._config, section, tensor["name"])
        if existing is None:
            self._config.setdefault(section, []).append(dict(tensor))
            return
        for key, value in tensor.items():  # Triton: a given field must agree with the config
            if key in existing and existing[key] not in ([], "", "TYPE_INVALID") and existing[key] != value:
                raise TritonModelException(
                    f"unable to add {section} '{tensor['name']}': its '{key}' differs from the config")
            existing[key] = value

    def add_input(self, tensor):
        self._add("input", tensor)

    def add_output(self, tensor):
        self._add("output", tensor)

    def set_dynamic_batching(self):
        self._config.setdefault("dynamic_batching", {})

    def set_model_transaction_policy(self, policy):
        self._config["model_transaction_policy"] = dict(policy)

    def add_parameter(self, key, value):
        self._config.setdefault("parameters", {})[key] = {"string_value": str(value)}


class Logger:
    """Triton's pb_utils.Logger: log lines go to the server's log."""

    INFO, WARNING, ERROR, VERBOSE = 0, 1, 2, 3
    _logger = logging.getLogger("inferd.python_model")

    @classmethod
    def log(cls, message, level=0):
        {cls.WARNING: cls.log_warn, cls.ERROR: cls.log_error, cls.VERBOSE: cls.log_verbose}.get(
            level, cls.log_info)(message)

    @staticmethod
    def log_info(message):
        print(f"[python] {message}", file=sys.stderr, flush=True)

    @staticmethod
    def log_warn(message):
        print(f"[python] warning: {message}", file=sys.stderr, flush=True)

    @staticmethod
    def log_error(message):
        print(f"[python] error: {message}", file=sys.stderr, flush=True)

    @staticmethod
    def log_verbose(message):
        print(f"[python] verbose: {message}", file=sys.stderr, flush=True)


def using_decoupled_model_transaction_policy(model_config):
    """Whether a model config (the dict json.loads gives) is decoupled."""
    return bool(model_config.get("model_transaction_policy", {}).get("decoupled", False))


def get_model_dir():
    return _MODEL_DIR


_MODEL_DIR = ""
# Set by the stub: _BLS_SEND(request, decoupled) sends a BLS request to the
# server and returns a handle; _BLS_STREAM(handle) yields its responses as
# they arrive, up to the final one.
_BLS_SEND = None
_BLS_STREAM = None
