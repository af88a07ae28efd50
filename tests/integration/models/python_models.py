"""model.py files for test_python_backend.py, written as a Triton user
writes them (import triton_python_backend_utils as pb_utils)."""

from pathlib import Path

SIMPLE_IDENTITY = '''
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    """Triton's quickstart simple_identity: returns its BYTES input."""

    def execute(self, requests):
        responses = []
        for request in requests:
            in_0 = pb_utils.get_input_tensor_by_name(request, "INPUT0")
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0", in_0.as_numpy())]))
        return responses
'''

SIMPLE_IDENTITY_CONFIG = '''name: "simple_identity"
backend: "python"
max_batch_size: 64
input [ { name: "INPUT0" data_type: TYPE_STRING dims: [ -1 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_STRING dims: [ -1 ] } ]
'''

# No config.pbtxt beyond the backend: auto_complete_config declares the tensors.
ADD_SUB = '''
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    @staticmethod
    def auto_complete_config(auto_complete_model_config):
        for name in ("INPUT0", "INPUT1"):
            auto_complete_model_config.add_input({"name": name, "data_type": "TYPE_FP32", "dims": [4]})
        for name in ("OUTPUT0", "OUTPUT1"):
            auto_complete_model_config.add_output({"name": name, "data_type": "TYPE_FP32", "dims": [4]})
        return auto_complete_model_config

    def initialize(self, args):
        self.model_config = json.loads(args["model_config"])
        output0 = pb_utils.get_output_config_by_name(self.model_config, "OUTPUT0")
        self.dtype = pb_utils.triton_string_to_numpy(output0["data_type"])

    def execute(self, requests):
        responses = []
        for request in requests:
            a = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            b = pb_utils.get_input_tensor_by_name(request, "INPUT1").as_numpy()
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("OUTPUT0", (a + b).astype(self.dtype)),
                pb_utils.Tensor("OUTPUT1", (a - b).astype(self.dtype))]))
        return responses
'''

# One FP32 input COMMAND selects the behaviour: 0 echo the args, 1 raise,
# 2 return a TritonError, 3 kill its own process, 4 hang, 5 sleep 1 s,
# 6 grow by 50 MB; its process id is always in PID.
PROBE = '''
import json
import os
import signal
import time

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.args = args
        self.hoard = []
        marker = json.loads(args["model_config"])["parameters"].get("finalize_marker")
        self.finalize_marker = marker["string_value"] if marker else None

    def execute(self, requests):
        responses = []
        for request in requests:
            command = int(pb_utils.get_input_tensor_by_name(request, "COMMAND").as_numpy().reshape(-1)[0])
            if command == 1:
                raise ValueError("the probe was asked to fail")
            if command == 2:
                responses.append(pb_utils.InferenceResponse(
                    error=pb_utils.TritonError("the probe returns an error", pb_utils.TritonError.INVALID_ARG)))
                continue
            if command == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            if command == 4:
                time.sleep(3600)
            if command == 5:
                time.sleep(1.0)
            if command == 6:
                self.hoard.append(np.ones(50 * 1024 * 1024, dtype=np.uint8))
            args = np.array([json.dumps(self.args).encode()], dtype=np.object_)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("ARGS", args),
                pb_utils.Tensor("PID", np.array([os.getpid()], dtype=np.int64))]))
        return responses

    def finalize(self):
        if self.finalize_marker:
            with open(self.finalize_marker, "w") as marker:
                marker.write("finalized")
'''


def probe_config(name, extra=""):
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: 0\n'
            'input [ { name: "COMMAND" data_type: TYPE_FP32 dims: [ 1 ] } ]\n'
            'output [ { name: "ARGS" data_type: TYPE_STRING dims: [ 1 ] },\n'
            '         { name: "PID" data_type: TYPE_INT64 dims: [ 1 ] } ]\n' + extra)


def write_python_model(repo, name, source, config):
    folder = Path(repo) / name
    (folder / "1").mkdir(parents=True, exist_ok=True)
    (folder / "config.pbtxt").write_text(config)
    (folder / "1" / "model.py").write_text(source)
    return folder

# BLS: INPUT0 FP32 [4] goes to the model named by the request parameter
# "target" (default plus_onnx), synchronously or, with "async": true, through
# async_exec; a failed call becomes this request's error text in OUTPUT0's place.
BLS = '''
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    async def execute(self, requests):
        responses = []
        for request in requests:
            parameters = json.loads(request.parameters())
            target = parameters.get("target", "plus_onnx")
            call = pb_utils.InferenceRequest(
                model_name=target, requested_output_names=["OUTPUT0"],
                inputs=[pb_utils.get_input_tensor_by_name(request, "INPUT0")])
            answer = await call.async_exec() if parameters.get("async") else call.exec()
            if answer.has_error():
                responses.append(pb_utils.InferenceResponse(
                    error=pb_utils.TritonError("BLS call failed: " + answer.error().message())))
                continue
            output = pb_utils.get_output_tensor_by_name(answer, "OUTPUT0").as_numpy()
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0", output * 10)]))
        return responses
'''

BLS_CONFIG = '''name: "bls"
backend: "python"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
'''

# Dynamic batching: each request of the batch answers its own INPUT0 * 2 and
# says how many requests its execute() call held and what its id was.
BATCHED = '''
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            rows = data.shape[0]
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("OUTPUT0", data * 2),
                pb_utils.Tensor("REQUESTS", np.full((rows, 1), len(requests), dtype=np.int32)),
                pb_utils.Tensor("ID", np.array([[request.request_id().encode()]] * rows, dtype=np.object_))]))
        return responses
'''

BATCHED_CONFIG = '''name: "batched"
backend: "python"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] },
         { name: "REQUESTS" data_type: TYPE_INT32 dims: [ 1 ] },
         { name: "ID" data_type: TYPE_STRING dims: [ 1 ] } ]
dynamic_batching { max_queue_delay_microseconds: 300000 }
'''

# Shared-memory transport: returns INPUT0 as OUTPUT0 and says where its input
# lay (WHERE: "shared" for the process's shared region, "socket" for a copy
# read from the socket). With the request parameter "keep": true it keeps the
# input array (and a private copy of it) for good; KEPT_INTACT says whether
# every kept array still holds what it held when it came. "exit": true ends
# the process while it holds the request's input; "truncate": true tries to
# shrink both shared regions under the server; "fork": true forks a child
# that drops the input and exits normally.
WHERE = '''
import json
import mmap
import os
import sys

import numpy as np
import triton_python_backend_utils as pb_utils


def where(array):
    holder = array
    while True:
        if isinstance(holder, np.ndarray) and holder.base is not None:
            holder = holder.base
        elif isinstance(holder, memoryview):
            holder = holder.obj
        else:
            break
    return "shared" if isinstance(holder, mmap.mmap) else "socket"


class TritonPythonModel:
    def initialize(self, args):
        self.kept = []

    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            options = json.loads(request.parameters())
            if options.get("exit"):
                os._exit(3)
            if options.get("truncate"):
                for fd in (4, 5):
                    try:
                        os.ftruncate(fd, 0)
                    except OSError:
                        pass
            if options.get("fork"):
                if os.fork() == 0:
                    del data, requests, request
                    sys.exit(0)
                os.wait()
            if json.loads(request.parameters()).get("keep"):
                self.kept.append((data, data.copy()))
            intact = all(np.array_equal(kept, copy) for kept, copy in self.kept)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("OUTPUT0", data),
                pb_utils.Tensor("WHERE", np.array([where(data).encode()], dtype=np.object_)),
                pb_utils.Tensor("KEPT_INTACT", np.array([intact]))]))
        return responses
'''


def where_config(name, extra=""):
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: 0\n'
            'input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\n'
            'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] },\n'
            '         { name: "WHERE" data_type: TYPE_STRING dims: [ 1 ] },\n'
            '         { name: "KEPT_INTACT" data_type: TYPE_BOOL dims: [ 1 ] } ]\n' + extra)


# BLS with large tensors: sends INPUT0 to the model named by the parameter
# "target" and returns what came back, and where the answer lay.
BLS_WHERE = WHERE.split("class TritonPythonModel")[0] + '''
class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            target = json.loads(request.parameters())["target"]
            answer = pb_utils.InferenceRequest(
                model_name=target, requested_output_names=["OUTPUT0", "WHERE"],
                inputs=[pb_utils.get_input_tensor_by_name(request, "INPUT0")]).exec()
            if answer.has_error():
                raise pb_utils.TritonModelException(answer.error().message())
            output = pb_utils.get_output_tensor_by_name(answer, "OUTPUT0").as_numpy()
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("OUTPUT0", output),
                pb_utils.Tensor("WHERE", np.array([where(output).encode()], dtype=np.object_)),
                pb_utils.Tensor("KEPT_INTACT", np.array([True]))]))
        return responses
'''

# What execute() sees of a request beyond its inputs: its parameters,
# correlation_id and flags, as one JSON text.
REQUEST_VIEW = '''
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("VIEW", np.array([json.dumps({
            "parameters": json.loads(r.parameters()), "correlation_id": r.correlation_id(),
            "flags": r.flags()}).encode()], dtype=np.object_))]) for r in requests]
'''

# BLS: asks request_view what it sees of a request with a correlation id,
# the sequence-start flag and a parameter, and returns its VIEW.
BLS_VIEW = '''
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            answer = pb_utils.InferenceRequest(
                model_name="request_view", requested_output_names=["VIEW"],
                inputs=[pb_utils.get_input_tensor_by_name(request, "ANY")], correlation_id=5,
                flags=pb_utils.TRITONSERVER_REQUEST_FLAG_SEQUENCE_START, parameters={"k": "v"}).exec()
            if answer.has_error():
                raise pb_utils.TritonModelException(answer.error().message())
            responses.append(pb_utils.InferenceResponse([pb_utils.get_output_tensor_by_name(answer, "VIEW")]))
        return responses
'''

REQUEST_VIEW_CONFIG = '''name: "request_view"
backend: "python"
max_batch_size: 0
input [ { name: "ANY" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "VIEW" data_type: TYPE_STRING dims: [ 1 ] } ]
'''
