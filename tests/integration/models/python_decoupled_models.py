"""Python models for the decoupled and per-request tests: a decoupled
`repeat` that answers once per element of IN (from execute or from a thread
of its own; request parameters make it fail one response, end with the last
one, kill its process, or forget its sender), BLS callers of it, a batch whose requests fail one by one, and a
slow model for overlapping BLS calls."""

REPEAT = '''
import json
import os
import threading
import time

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        if not pb_utils.using_decoupled_model_transaction_policy(config):
            raise pb_utils.TritonModelException("repeat must be decoupled")
        self.threads = []

    def answer(self, request):
        values = pb_utils.get_input_tensor_by_name(request, "IN").as_numpy()
        options = json.loads(request.parameters())
        sender = request.get_response_sender()
        if options.get("forget", False):
            return  # drops the sender without the final flag
        last = len(values) - 1
        for index, value in enumerate(values):
            if index > 0:
                time.sleep(options.get("delay", 0))
            if index == options.get("exit_at", -1):
                os._exit(3)  # the model process dies mid-stream
            if index == options.get("error_at", -1):
                sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"no answer for element {index}")))
                continue
            response = pb_utils.InferenceResponse([
                pb_utils.Tensor("OUT", np.array([value], dtype=np.int32)),
                pb_utils.Tensor("IDX", np.array([index], dtype=np.int32))])
            final_with_last = options.get("final_with_last", False) and index == last
            sender.send(response, flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL if final_with_last else 0)
        if not (options.get("final_with_last", False) and len(values) > 0):
            sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        try:
            sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        except pb_utils.TritonModelException as closed:
            assert "Response sender has been closed" in str(closed)

    def execute(self, requests):
        for request in requests:
            if json.loads(request.parameters()).get("in_thread", False):
                thread = threading.Thread(target=self.answer, args=(request,))
                thread.start()
                self.threads.append(thread)
            else:
                self.answer(request)
        return None

    def finalize(self):
        for thread in self.threads:
            thread.join()
'''

REPEAT_CONFIG = '''name: "repeat"
backend: "python"
model_transaction_policy { decoupled: true }
input [ { name: "IN" data_type: TYPE_INT32 dims: [ -1 ] } ]
output [ { name: "OUT" data_type: TYPE_INT32 dims: [ 1 ] }, { name: "IDX" data_type: TYPE_INT32 dims: [ 1 ] } ]
'''

# Calls `repeat` with exec(decoupled=True) or async_exec(decoupled=True) and
# returns what it streamed: the sum of OUT and how many responses came.
BLS_STREAM = '''
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    async def execute(self, requests):
        responses = []
        for request in requests:
            call = pb_utils.InferenceRequest(
                model_name="repeat", requested_output_names=["OUT"],
                inputs=[pb_utils.get_input_tensor_by_name(request, "IN")])
            if json.loads(request.parameters()).get("async"):
                streamed = await call.async_exec(decoupled=True)
            else:
                streamed = call.exec(decoupled=True)
            total, count, empty = 0, 0, 0
            for response in streamed:
                if response.has_error():
                    raise pb_utils.TritonModelException(response.error().message())
                count += 1
                if not response.output_tensors():
                    empty += 1
                    continue
                total += int(pb_utils.get_output_tensor_by_name(response, "OUT").as_numpy()[0])
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("SUM", np.array([total], dtype=np.int32)),
                pb_utils.Tensor("COUNT", np.array([count], dtype=np.int32)),
                pb_utils.Tensor("EMPTY", np.array([empty], dtype=np.int32))]))
        return responses
'''

BLS_STREAM_CONFIG = '''name: "bls_stream"
backend: "python"
input [ { name: "IN" data_type: TYPE_INT32 dims: [ -1 ] } ]
output [ { name: "SUM" data_type: TYPE_INT32 dims: [ 1 ] }, { name: "COUNT" data_type: TYPE_INT32 dims: [ 1 ] },
         { name: "EMPTY" data_type: TYPE_INT32 dims: [ 1 ] } ]
'''

# A batch where each request succeeds or fails on its own: negative input fails.
PICKY = '''
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            if data.min() < 0:
                responses.append(pb_utils.InferenceResponse(
                    error=pb_utils.TritonError(f"negative input in {request.request_id()}")))
                continue
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("OUTPUT0", data * 2),
                pb_utils.Tensor("REQUESTS", np.full((data.shape[0], 1), len(requests), dtype=np.int32))]))
        return responses
'''

PICKY_CONFIG = '''name: "picky"
backend: "python"
max_batch_size: 8
dynamic_batching { max_queue_delay_microseconds: 200000 }
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "REQUESTS" data_type: TYPE_INT32 dims: [ 1 ] } ]
'''

SLOW = '''
import time

import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        time.sleep(0.6)
        return [pb_utils.InferenceResponse([pb_utils.get_input_tensor_by_name(r, "INPUT0")]) for r in requests]
'''

SLOW_CONFIG = '''name: "slow"
backend: "python"
instance_group [ { count: 2 kind: KIND_CPU } ]
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1 ] } ]
'''

# Two async_exec calls to `slow`, gathered: they overlap on the server.
GATHER = '''
import asyncio

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    async def execute(self, requests):
        responses = []
        for request in requests:
            calls = [pb_utils.InferenceRequest(model_name="slow", requested_output_names=["INPUT0"],
                                               inputs=[pb_utils.Tensor("INPUT0", np.array([float(i)], np.float32))])
                     for i in range(2)]
            answers = await asyncio.gather(*[call.async_exec() for call in calls])
            values = [float(pb_utils.get_output_tensor_by_name(a, "INPUT0").as_numpy()[0]) for a in answers]
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("VALUES", np.array(values, np.float32))]))
        return responses
'''

GATHER_CONFIG = '''name: "gather"
backend: "python"
input [ { name: "ANY" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "VALUES" data_type: TYPE_FP32 dims: [ 2 ] } ]
'''

# An ensemble whose only step is the decoupled `repeat`: refused at load.
REPEAT_ENSEMBLE_CONFIG = '''name: "repeat_ensemble"
platform: "ensemble"
input [ { name: "IN" data_type: TYPE_INT32 dims: [ -1 ] } ]
output [ { name: "OUT" data_type: TYPE_INT32 dims: [ 1 ] } ]
ensemble_scheduling { step [ { model_name: "repeat" model_version: -1
  input_map { key: "IN" value: "IN" } output_map { key: "OUT" value: "OUT" } } ] }
'''

# Served without a config.pbtxt: auto_complete_config, written as
# Triton's examples write it (reading the config's existing "input" list),
# declares the tensors, max_batch_size 8, dynamic batching and the
# decoupled policy; execute streams one response per request.
AUTO_STREAM = '''
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    @staticmethod
    def auto_complete_config(auto_complete_model_config):
        config = auto_complete_model_config.as_dict()
        if "IN" not in [tensor["name"] for tensor in config["input"]]:
            auto_complete_model_config.add_input({"name": "IN", "data_type": "TYPE_INT32", "dims": [1]})
        auto_complete_model_config.add_output({"name": "OUT", "data_type": "TYPE_INT32", "dims": [1]})
        auto_complete_model_config.set_max_batch_size(8)
        auto_complete_model_config.set_dynamic_batching()
        auto_complete_model_config.set_model_transaction_policy(dict(decoupled=True))
        return auto_complete_model_config

    def execute(self, requests):
        for request in requests:
            value = pb_utils.get_input_tensor_by_name(request, "IN").as_numpy()
            request.get_response_sender().send(
                pb_utils.InferenceResponse([pb_utils.Tensor("OUT", value * 3)]),
                flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        return None
'''

# BLS with request parameters: `bls_params` calls `echo_params`, which
# returns the parameters its request carried as JSON text.
ECHO_PARAMS = '''
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("PARAMS", np.array([r.parameters()], dtype=np.object_))])
                for r in requests]
'''

ECHO_PARAMS_CONFIG = '''name: "echo_params"
backend: "python"
input [ { name: "ANY" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "PARAMS" data_type: TYPE_STRING dims: [ 1 ] } ]
'''

BLS_PARAMS = '''
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            call = pb_utils.InferenceRequest(
                model_name="echo_params", requested_output_names=["PARAMS"],
                inputs=[pb_utils.get_input_tensor_by_name(request, "ANY")],
                parameters={"flag": True, "count": 3, "ratio": 0.5, "word": "stop"})
            answer = call.exec()
            if answer.has_error():
                raise pb_utils.TritonModelException(answer.error().message())
            responses.append(pb_utils.InferenceResponse([pb_utils.get_output_tensor_by_name(answer, "PARAMS")]))
        return responses
'''

BLS_PARAMS_CONFIG = '''name: "bls_params"
backend: "python"
input [ { name: "ANY" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "PARAMS" data_type: TYPE_STRING dims: [ 1 ] } ]
'''

# Reads a slow stream from `repeat` (0.3 s between responses) through
# exec(decoupled=True) and reports when the first and the last response
# reached it: the iterator yields each one as it arrives.
BLS_FIRST = '''
import time

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            start = time.monotonic()
            call = pb_utils.InferenceRequest(
                model_name="repeat", requested_output_names=["OUT"], parameters={"delay": 0.3},
                inputs=[pb_utils.Tensor("IN", np.array([1, 2, 3], dtype=np.int32))])
            arrivals = [time.monotonic() - start for _ in call.exec(decoupled=True)]
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("ARRIVALS", np.array([arrivals[0], arrivals[-1]], dtype=np.float32))]))
        return responses
'''

BLS_FIRST_CONFIG = '''name: "bls_first"
backend: "python"
input [ { name: "ANY" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "ARRIVALS" data_type: TYPE_FP32 dims: [ 2 ] } ]
'''
