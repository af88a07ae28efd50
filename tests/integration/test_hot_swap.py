"""Version swaps under steady load, with no failed request.

Clients (two HTTP threads, one gRPC thread, stock tritonclient) send
requests without a version while the test swaps the served version of
`swapped` 20 times by editing its version_policy for the poller and 20
times by explicit loads with a config override. Version k adds k, so each
response proves which version computed it; the test checks that every
request succeeded and was answered by a version that served at some point
while it was in flight. Then 50 load/unload cycles must not grow the
server's memory by more than 10%.
"""

import json
import threading
import time

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from models import control_models as cm
from server_process import binary_is_sanitized, resident_mib, wait_for

pytestmark = pytest.mark.timeout(300)

MODEL = "swapped"
VERSIONS = (1, 2, 3)
SWAPS = 20
EXTRA = "dynamic_batching { max_queue_delay_microseconds: 2000 }\n"
DATA = np.arange(4, dtype=np.float32).reshape(1, 4)


class Timeline:
    """When each version started and stopped serving, as the test saw it:
    a version may answer from the moment its swap was asked for until the
    next swap has completed."""

    def __init__(self, first_version):
        self.lock = threading.Lock()
        self.swaps = [[first_version, 0.0, 0.0]]  # [version, asked, completed]

    def begin(self, version):
        """Records a swap as asked for now; call what it returns once the
        swap is seen complete."""
        with self.lock:
            self.swaps.append([version, time.monotonic(), float("inf")])
            index = len(self.swaps) - 1

        def done():
            with self.lock:
                self.swaps[index][2] = time.monotonic()
        return done

    def near(self, moment):
        with self.lock:
            return [f"v{v} asked {a:.3f} done {c:.3f}" for v, a, c in self.swaps if abs(a - moment) < 3]

    def allowed(self, version, sent, received):
        with self.lock:
            swaps = list(self.swaps)
        for index, (served, asked, _) in enumerate(swaps):
            until = swaps[index + 1][2] if index + 1 < len(swaps) else float("inf")
            if served == version and asked <= received and sent <= until:
                return True
        return False


class Load:
    """Steady traffic until stopped; records every answer and every error."""

    def __init__(self, server, timeline):
        self.server = server
        self.timeline = timeline
        self.stop = threading.Event()
        self.errors = []
        self.wrong = []
        self.count = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._http) for _ in range(2)]
        self.threads.append(threading.Thread(target=self._grpc))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def _record(self, sent, output, version):
        received = time.monotonic()
        version = int(version)
        with self.lock:
            self.count += 1
            if not np.all(output - DATA == version):
                self.wrong.append(f"version {version} answered {output - DATA}")
            elif not self.timeline.allowed(version, sent, received):
                self.wrong.append(f"version {version} answered a request sent at {sent:.3f} at {received:.3f}, "
                                  f"when it did not serve (swaps: {self.timeline.near(sent)})")

    def _loop(self, infer):
        deadline = time.monotonic() + 240
        while not self.stop.is_set() and time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                output, version = infer()
            except Exception as error:  # every failure counts
                with self.lock:
                    self.errors.append(repr(error))
                continue
            self._record(sent, output, version)

    def _http(self):
        client = httpclient.InferenceServerClient(url=self.server.url, network_timeout=30)
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(DATA, binary_data=True)

        def infer():
            result = client.infer(MODEL, [tensor])
            return result.as_numpy("OUTPUT0"), result.get_response()["model_version"]

        self._loop(infer)
        client.close()

    def _grpc(self):
        client = grpcclient.InferenceServerClient(url=self.server.grpc_url)
        tensor = grpcclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(DATA)

        def infer():
            result = client.infer(MODEL, [tensor], client_timeout=30)
            return result.as_numpy("OUTPUT0"), result.get_response().model_version

        self._loop(infer)
        client.close()

    def assert_clean(self, minimum):
        assert not self.errors, f"{len(self.errors)} failed requests of {self.count}, first: {self.errors[:3]}"
        assert not self.wrong, f"{len(self.wrong)} wrong answers of {self.count}, first: {self.wrong[:3]}"
        assert self.count >= minimum, f"only {self.count} requests were answered during the swaps"


def served_versions(client):
    return sorted(int(row["version"]) for row in client.get_model_repository_index()
                  if row["name"] == MODEL and row.get("state") == "READY")


def test_poll_swaps_under_load_fail_no_request(server_factory, tmp_path):
    repo = tmp_path / "repo"
    folder = cm.write_versioned(repo, MODEL, VERSIONS, EXTRA + cm.specific_policy(1))
    server = server_factory.start([repo], ["--model-control-mode=poll", "--repository-poll-secs=1"])
    control = httpclient.InferenceServerClient(url=server.url, network_timeout=60)
    timeline = Timeline(1)
    with Load(server, timeline) as load:
        for swap in range(SWAPS):
            version = VERSIONS[(swap + 1) % len(VERSIONS)]
            done = timeline.begin(version)
            (folder / "config.pbtxt").write_text(cm.plus_k_config(MODEL, EXTRA + cm.specific_policy(version)))
            assert wait_for(lambda: served_versions(control) == [version]), (
                f"swap {swap}: the poller did not swap to version {version}: {served_versions(control)}")
            done()
    load.assert_clean(minimum=SWAPS * 5)


def test_explicit_swaps_under_load_fail_no_request(server_factory, tmp_path):
    repo = tmp_path / "repo"
    cm.write_versioned(repo, MODEL, VERSIONS, EXTRA + cm.specific_policy(1))
    server = server_factory.start([repo], ["--model-control-mode=explicit", f"--load-model={MODEL}"])
    control = httpclient.InferenceServerClient(url=server.url, network_timeout=60)
    timeline = Timeline(1)
    with Load(server, timeline) as load:
        for swap in range(SWAPS):
            version = VERSIONS[(swap + 1) % len(VERSIONS)]
            config = {"backend": "onnxruntime", "max_batch_size": 8,
                      "dynamic_batching": {"max_queue_delay_microseconds": 2000},
                      "version_policy": {"specific": {"versions": [version]}}}
            done = timeline.begin(version)
            control.load_model(MODEL, config=json.dumps(config))
            done()
            assert served_versions(control) == [version]
            time.sleep(0.1)  # let traffic reach the new version before the next swap
    load.assert_clean(minimum=SWAPS * 5)


def test_load_unload_cycles_do_not_grow_memory(server_factory, tmp_path, inferd_binary):
    if binary_is_sanitized(inferd_binary):
        pytest.skip("sanitizer allocators keep freed memory in quarantine")
    repo = tmp_path / "repo"
    cm.write_versioned(repo, MODEL, VERSIONS, EXTRA)
    server = server_factory.start([repo], ["--model-control-mode=explicit"])
    client = httpclient.InferenceServerClient(url=server.url, network_timeout=60)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(DATA, binary_data=True)

    def cycle():
        client.load_model(MODEL)
        client.infer(MODEL, [tensor])
        client.unload_model(MODEL)
        assert wait_for(lambda: not any(row.get("state") == "UNLOADING"
                                        for row in client.get_model_repository_index()))

    for _ in range(10):  # warm-up: allocator pools and first-use caches
        cycle()
    before = resident_mib(server.process.pid)
    for _ in range(50):
        cycle()
    after = resident_mib(server.process.pid)
    assert after <= before * 1.10, f"RSS grew from {before:.1f} MiB to {after:.1f} MiB over 50 load/unload cycles"
