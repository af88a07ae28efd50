"""tritonserver's flags, one test per family, against the real binary.

Every flag of Triton's command_line_parser.cc is known to inferd: it acts, or
it is accepted with one warning that says what inferd does instead (the unit
tests in src/app/flags_test.cc walk the whole list). Here: the ones that act
(--id, --model-store, --model-config-name, --exit-timeout-secs,
--reuse-http-port, --allow-unsupported-config-fields), the warnings of
accepted ones, and the error for a misspelt flag.
"""

import signal
import subprocess
import threading
import time

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from models import batching_models
from models.repositories import model_config, tensor_config, write_model
from models import onnx_builders as builders

pytestmark = pytest.mark.timeout(120)


def _write_add_sub(repo, name="simple"):
    write_model(repo, name, model_config(
        name, 8,
        [tensor_config("INPUT0", "TYPE_INT32", [16]), tensor_config("INPUT1", "TYPE_INT32", [16])],
        [tensor_config("OUTPUT0", "TYPE_INT32", [16]), tensor_config("OUTPUT1", "TYPE_INT32", [16])]),
        builders.add_sub_model("INT32", True, [16]))


@pytest.fixture(scope="module")
def flags_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("flags_repo")
    _write_add_sub(repo)
    # The slow model: its execution time is picked by the request's width.
    write_model(repo, "slow", model_config(
        "slow", 1, [tensor_config("INPUT0", "TYPE_FP32", [-1])], [tensor_config("OUTPUT0", "TYPE_FP32", [-1])]),
        batching_models.square_cost_model())
    return repo


def _infer_simple(module, url):
    triton = module.InferenceServerClient(url=url)
    try:
        a = np.arange(16, dtype=np.int32).reshape(1, 16)
        inputs = [module.InferInput("INPUT0", [1, 16], "INT32"), module.InferInput("INPUT1", [1, 16], "INT32")]
        inputs[0].set_data_from_numpy(a)
        inputs[1].set_data_from_numpy(a)
        return triton.infer("simple", inputs).as_numpy("OUTPUT0")
    finally:
        triton.close()


def test_id_names_the_server_on_both_protocols(server_factory, flags_repo):
    server = server_factory.start([flags_repo], ["--id", "triton"])
    http = httpclient.InferenceServerClient(url=server.url)
    grpc = grpcclient.InferenceServerClient(url=server.grpc_url)
    assert http.get_server_metadata()["name"] == "triton"
    assert grpc.get_server_metadata().name == "triton"
    http.close()
    grpc.close()


def test_model_store_is_model_repository(server_factory, inferd_binary, flags_repo, tmp_path):
    server = server_factory.create([], [f"--model-store={flags_repo}"])
    server.start()
    np.testing.assert_array_equal(_infer_simple(httpclient, server.url), 2 * np.arange(16).reshape(1, 16))


def test_model_config_name_picks_the_custom_config(server_factory, tmp_path):
    repo = tmp_path / "repo"
    _write_add_sub(repo)
    # configs/small.pbtxt lowers max_batch_size: only the custom config says 2.
    custom = (repo / "simple" / "config.pbtxt").read_text().replace("max_batch_size: 8", "max_batch_size: 2")
    (repo / "simple" / "configs").mkdir()
    (repo / "simple" / "configs" / "small.pbtxt").write_text(custom)
    plain = server_factory.start([repo])
    assert httpclient.InferenceServerClient(url=plain.url).get_model_config("simple")["max_batch_size"] == 8
    small = server_factory.start([repo], ["--model-config-name=small"])
    assert httpclient.InferenceServerClient(url=small.url).get_model_config("simple")["max_batch_size"] == 2
    # A name no model has: every model keeps its config.pbtxt.
    other = server_factory.start([repo], ["--model-config-name=h100"])
    assert httpclient.InferenceServerClient(url=other.url).get_model_config("simple")["max_batch_size"] == 8


def _slow_request(module, url, results):
    triton = module.InferenceServerClient(url=url)
    try:
        data = np.ones((1, 900), dtype=np.float32)
        tensor = module.InferInput("INPUT0", [1, 900], "FP32")
        tensor.set_data_from_numpy(data)
        results.append(triton.infer("slow", [tensor]).as_numpy("OUTPUT0").shape)
    except Exception as error:  # recorded for the assertion in the test
        results.append(error)
    finally:
        triton.close()


@pytest.mark.parametrize("module", [httpclient, grpcclient], ids=["http", "grpc"])
def test_sigterm_lets_requests_in_flight_finish_then_exits(server_factory, flags_repo, module):
    server = server_factory.start([flags_repo], ["--exit-timeout-secs=30"])
    url = server.url if module is httpclient else server.grpc_url
    # Warm the model so the timed requests are the slow part.
    _slow_request(module, url, [])
    results = []
    threads = [threading.Thread(target=_slow_request, args=(module, url, results)) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # the requests are queued or running
    server.process.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=60)
    assert server.wait_exit(timeout=60) == 0
    assert results == [(1, 900)] * 3, results
    assert "shutting down" in server.log_text()


def test_reuse_http_port_lets_two_servers_share_the_port(server_factory, flags_repo):
    first = server_factory.start([flags_repo], ["--reuse-http-port=true", "--reuse-grpc-port=true"])
    second = server_factory.create([flags_repo], ["--reuse-http-port=true", "--reuse-grpc-port=true"])
    second.http_port = first.http_port
    second.grpc_port = first.grpc_port
    second.start()
    assert second.is_running() and first.is_running()
    np.testing.assert_array_equal(_infer_simple(httpclient, first.url), 2 * np.arange(16).reshape(1, 16))


def test_without_reuse_http_port_a_second_server_cannot_bind(server_factory, flags_repo):
    first = server_factory.start([flags_repo])
    second = server_factory.create([flags_repo])
    second.http_port = first.http_port
    second.launch()
    assert second.wait_exit(timeout=30) == 1
    assert "cannot bind the HTTP service" in second.log_text()


def test_accepted_flags_warn_once_each_and_the_server_serves(server_factory, flags_repo):
    server = server_factory.start([flags_repo], [
        "--log-info=true", "--grpc-infer-thread-count=4", "--sagemaker-port=8080", "--http-restricted-api",
        "model-repository:key=value", "--metrics-interval-ms=500.5", "--model-control-mode=none"])
    log = server.log_text()
    for flag in ("--log-info=true", "--grpc-infer-thread-count", "--sagemaker-port=8080"):
        assert log.count(f"ignoring tritonserver flag {flag}") == 1, log
    # Flags inferd acts on are not "ignored" (test_restricted_api.py, test_model_control.py).
    assert "ignoring tritonserver flag --model-control-mode" not in log
    assert "ignoring tritonserver flag --http-restricted-api" not in log
    np.testing.assert_array_equal(_infer_simple(grpcclient, server.grpc_url), 2 * np.arange(16).reshape(1, 16))


def test_a_misspelt_flag_is_an_error(inferd_binary, flags_repo):
    result = subprocess.run([str(inferd_binary), "--model-repository", str(flags_repo), "--model-contrl-mode=none"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "--model-contrl-mode" in result.stderr
