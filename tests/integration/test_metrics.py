"""Prometheus metrics on --metrics-port: Triton's names, types and labels,
the latency histograms, agreement with the statistics extension, and a real
Prometheus server scraping inferd and answering PromQL about it."""

import math
import time

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import metrics_scrape
from metrics_scrape import PrometheusServer, fetch, histogram_quantile, metrics_url, scrape

pytestmark = pytest.mark.timeout(120)

MODEL = "simple"  # examples/simple: INT32 [-1, 16] x2, max_batch_size 8
GOOD_REQUESTS = 20
BAD_REQUESTS = 3
BATCH = 2

TRITON_COUNTERS = [
    "nv_inference_request_success", "nv_inference_request_failure", "nv_inference_count",
    "nv_inference_exec_count", "nv_inference_request_duration_us", "nv_inference_queue_duration_us",
    "nv_inference_compute_input_duration_us", "nv_inference_compute_infer_duration_us",
    "nv_inference_compute_output_duration_us",
]
HISTOGRAMS = ["inferd_request_duration_seconds", "inferd_queue_duration_seconds"]


def _inputs(batch):
    data = np.arange(batch * 16, dtype=np.int32).reshape(batch, 16)
    inputs = []
    for name in ("INPUT0", "INPUT1"):
        tensor = httpclient.InferInput(name, [batch, 16], "INT32")
        tensor.set_data_from_numpy(data)
        inputs.append(tensor)
    return inputs, data


def _send(server, good, bad, batch=BATCH):
    client = httpclient.InferenceServerClient(url=server.url, connection_timeout=30, network_timeout=30)
    try:
        for _ in range(good):
            inputs, data = _inputs(batch)
            result = client.infer(MODEL, inputs)
            np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data + data)
        for _ in range(bad):
            # Well-formed on the wire, wrong for the model: dims are [16], not [3].
            tensor = httpclient.InferInput("INPUT0", [1, 3], "INT32")
            tensor.set_data_from_numpy(np.zeros((1, 3), dtype=np.int32))
            other = httpclient.InferInput("INPUT1", [1, 3], "INT32")
            other.set_data_from_numpy(np.zeros((1, 3), dtype=np.int32))
            with pytest.raises(InferenceServerException):
                client.infer(MODEL, [tensor, other])
        return client.get_inference_statistics(model_name=MODEL)
    finally:
        client.close()


@pytest.fixture
def metrics_server(server_factory, example_repo):
    """A fresh server (counts start at zero) on examples/simple."""
    return server_factory.start([example_repo])


def test_counters_histograms_and_statistics_agree(metrics_server):
    stats = _send(metrics_server, GOOD_REQUESTS, BAD_REQUESTS)
    metrics = scrape(metrics_server)
    labels = {"model": MODEL, "version": "1"}

    for name in TRITON_COUNTERS:
        assert metrics.types.get(name) == "counter", name
        assert metrics.helps.get(name), name
    assert metrics.value("nv_inference_request_success", **labels) == GOOD_REQUESTS
    assert metrics.value("nv_inference_count", **labels) == GOOD_REQUESTS * BATCH
    assert metrics.value("nv_inference_exec_count", **labels) == GOOD_REQUESTS
    # Failures carry Triton's reason label; a request the model's config
    # rejects is OTHER (not the backend's fault, not a queue timeout).
    reasons = {l["reason"]: v for l, v in metrics.find("nv_inference_request_failure", **labels)}
    assert reasons == {"REJECTED": 0, "CANCELED": 0, "BACKEND": 0, "OTHER": BAD_REQUESTS}
    for name in ("nv_inference_request_duration_us", "nv_inference_compute_infer_duration_us"):
        assert metrics.value(name, **labels) > 0, name

    # One set of numbers: the statistics extension says the same.
    entry = next(s for s in stats["model_stats"] if s["name"] == MODEL and s["version"] == "1")
    inference = entry["inference_stats"]
    assert int(inference["success"]["count"]) == GOOD_REQUESTS
    assert int(inference["fail"]["count"]) == BAD_REQUESTS
    assert int(entry["inference_count"]) == GOOD_REQUESTS * BATCH
    assert int(entry["execution_count"]) == GOOD_REQUESTS
    for stat, counter in [("success", "nv_inference_request_duration_us"),
                          ("queue", "nv_inference_queue_duration_us"),
                          ("compute_input", "nv_inference_compute_input_duration_us"),
                          ("compute_infer", "nv_inference_compute_infer_duration_us"),
                          ("compute_output", "nv_inference_compute_output_duration_us")]:
        assert int(inference[stat]["ns"]) // 1000 == metrics.value(counter, **labels), stat

    for name in HISTOGRAMS:
        assert metrics.types.get(name) == "histogram", name
        buckets = metrics.buckets(name, **labels)
        assert len(buckets) == 17 and math.isinf(buckets[-1][0]), buckets
        counts = [count for _, count in buckets]
        assert counts == sorted(counts), f"{name} buckets are not cumulative: {buckets}"
        assert buckets[-1][1] == GOOD_REQUESTS
        assert metrics.value(name + "_count", **labels) == GOOD_REQUESTS
    # The histogram's sum is the counter's total, in seconds.
    assert metrics.value("inferd_request_duration_seconds_sum", **labels) == pytest.approx(
        int(inference["success"]["ns"]) / 1e9, rel=1e-9)
    assert metrics.value("inferd_queue_duration_seconds_sum", **labels) == pytest.approx(
        int(inference["queue"]["ns"]) / 1e9, rel=1e-9)

    # Every model version of the repository is listed, used or not.
    assert metrics.value("nv_inference_request_success", model="simple_versioned", version="1") == 0
    assert metrics.value("nv_inference_request_success", model="simple_versioned", version="3") == 0


def test_process_and_cpu_metrics(metrics_server):
    metrics = scrape(metrics_server)
    assert metrics.types["process_resident_memory_bytes"] == "gauge"
    assert metrics.value("process_resident_memory_bytes") > 1 << 20
    assert metrics.value("process_virtual_memory_bytes") >= metrics.value("process_resident_memory_bytes")
    assert metrics.types["process_cpu_seconds_total"] == "counter"
    assert metrics.value("process_cpu_seconds_total") > 0
    assert abs(metrics.value("process_start_time_seconds") - time.time()) < 600
    assert metrics.value("process_open_fds") >= 3
    assert metrics.types["nv_cpu_utilization"] == "gauge"
    assert 0.0 <= metrics.value("nv_cpu_utilization") <= 1.0
    assert metrics.value("nv_cpu_memory_total_bytes") >= metrics.value("nv_cpu_memory_used_bytes") > 0


def test_endpoint_protocol_and_startup_log(metrics_server):
    status, headers, body = fetch(metrics_url(metrics_server))
    assert status == 200
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert body.endswith("\n")
    assert fetch(metrics_url(metrics_server, "/nothing"))[0] == 404
    assert fetch(metrics_url(metrics_server), method="POST")[0] == 405
    # The metrics port is not the HTTP API, and the HTTP API has no /metrics.
    assert fetch(metrics_url(metrics_server, "/v2/health/live"))[0] == 404
    assert (f"Started Metrics Service at 127.0.0.1:{metrics_server.metrics_port}"
            in metrics_server.log_text())


def test_metrics_can_be_turned_off(server_factory, example_repo):
    no_metrics = server_factory.start([example_repo], ["--allow-metrics=false"])
    with pytest.raises(OSError):
        fetch(metrics_url(no_metrics), timeout=2)
    no_cpu = server_factory.start([example_repo], ["--allow-cpu-metrics=false", "--allow-gpu-metrics=false",
                                                   "--metrics-interval-ms=500"])
    metrics = scrape(no_cpu)
    assert "nv_cpu_utilization" not in metrics.types
    assert "nv_cpu_memory_total_bytes" not in metrics.types
    assert "nv_inference_request_success" in metrics.types


def test_http_and_grpc_requests_are_counted_once_each(metrics_server):
    if not getattr(metrics_server, "serves_grpc", lambda: False)():
        pytest.skip(f"{metrics_server.binary} has no gRPC service")
    import tritonclient.grpc as grpcclient

    http_good, http_bad, grpc_good, grpc_bad = 4, 1, 6, 2
    _send(metrics_server, http_good, http_bad)
    client = grpcclient.InferenceServerClient(url=metrics_server.grpc_url)
    try:
        data = np.arange(BATCH * 16, dtype=np.int32).reshape(BATCH, 16)
        for _ in range(grpc_good):
            inputs = []
            for name in ("INPUT0", "INPUT1"):
                tensor = grpcclient.InferInput(name, [BATCH, 16], "INT32")
                tensor.set_data_from_numpy(data)
                inputs.append(tensor)
            np.testing.assert_array_equal(client.infer(MODEL, inputs).as_numpy("OUTPUT1"), data - data)
        for _ in range(grpc_bad):
            inputs = []
            for name in ("INPUT0", "INPUT1"):
                tensor = grpcclient.InferInput(name, [1, 3], "INT32")  # dims are [16]
                tensor.set_data_from_numpy(np.zeros((1, 3), dtype=np.int32))
                inputs.append(tensor)
            with pytest.raises(InferenceServerException):
                client.infer(MODEL, inputs)
        grpc_stats = client.get_inference_statistics(model_name=MODEL, model_version="1")
    finally:
        client.close()

    metrics = scrape(metrics_server)
    labels = {"model": MODEL, "version": "1"}
    good, bad = http_good + grpc_good, http_bad + grpc_bad
    assert metrics.value("nv_inference_request_success", **labels) == good
    assert metrics.total("nv_inference_request_failure", **labels) == bad
    assert metrics.value("nv_inference_count", **labels) == good * BATCH
    assert metrics.value("inferd_request_duration_seconds_count", **labels) == good
    entry = grpc_stats.model_stats[0]
    assert entry.inference_stats.success.count == good
    assert entry.inference_stats.fail.count == bad
    assert entry.inference_stats.success.ns // 1000 == metrics.value("nv_inference_request_duration_us", **labels)
    http_stats = _send(metrics_server, 0, 0)  # the HTTP view of the same moment
    http_entry = next(s for s in http_stats["model_stats"] if s["version"] == "1")
    assert int(http_entry["inference_stats"]["success"]["count"]) == good
    assert int(http_entry["inference_stats"]["success"]["ns"]) == entry.inference_stats.success.ns


def test_real_prometheus_scrapes_counts_and_quantiles(metrics_server, tmp_path):
    if metrics_scrape.prometheus_binary() is None:
        pytest.skip("the prometheus binary is not installed (scripts/setup_system.sh installs Debian's)")
    (tmp_path / "prometheus").mkdir()
    prometheus = PrometheusServer(tmp_path / "prometheus", [f"127.0.0.1:{metrics_server.metrics_port}"])
    try:
        prometheus.start()
        # A scrape before any traffic, so rate() sees the counters start at 0.
        prometheus.wait_for('up{job="inferd"}', lambda r: r and r[0][1] == 1)
        _send(metrics_server, GOOD_REQUESTS, 0)
        expected = scrape(metrics_server)
        prometheus.wait_for(f'nv_inference_request_success{{model="{MODEL}",version="1"}}',
                            lambda r: r and r[0][1] == GOOD_REQUESTS)

        assert prometheus.query(f'sum(nv_inference_request_success{{model="{MODEL}"}})')[0][1] == GOOD_REQUESTS
        assert prometheus.query(f'sum(nv_inference_count{{model="{MODEL}"}})')[0][1] == GOOD_REQUESTS * BATCH

        # p99 and p50 over everything so far: exactly what Prometheus'
        # interpolation gives on the buckets /metrics reported.
        buckets = expected.buckets("inferd_request_duration_seconds", model=MODEL, version="1")
        for q in (0.5, 0.99):
            query = (f'histogram_quantile({q}, sum by (le) '
                     f'(inferd_request_duration_seconds_bucket{{model="{MODEL}"}}))')
            got = prometheus.query(query)[0][1]
            want = histogram_quantile(q, buckets)
            assert got == pytest.approx(want, rel=1e-9), (query, buckets)
            # ... which lies inside the bucket the rank fell in.
            index = next(i for i, (_, c) in enumerate(buckets) if c >= q * GOOD_REQUESTS)
            lower = 0.0 if index == 0 else buckets[index - 1][0]
            assert lower <= got <= buckets[index][0], (q, got, buckets)

        # The dashboard form: a quantile of the rate over a window.
        rate_p50 = prometheus.query(
            f'histogram_quantile(0.5, sum by (le) '
            f'(rate(inferd_request_duration_seconds_bucket{{model="{MODEL}"}}[1m])))')[0][1]
        index = next(i for i, (_, c) in enumerate(buckets) if c >= 0.5 * GOOD_REQUESTS)
        lower = 0.0 if index == 0 else buckets[index - 1][0]
        assert lower <= rate_p50 <= buckets[index][0], (rate_p50, buckets)
    finally:
        prometheus.stop()
