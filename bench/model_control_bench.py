"""Model control timings: how long a load and an unload take, and what a
version swap costs the requests in flight (part of `make bench`).

One inferd in explicit mode serves a repository with the real PP-OCRv4
detection model (about 4.7 MB; the load that matters is ONNX Runtime
building its session) and `swapped`, a tiny model with three versions.

- load / unload: ROUNDS explicit loads of ppocr_det (each preceded by an
  unload), timed at the client from request to 200; unload until the index
  shows the version UNAVAILABLE (destroyed). Anchor: creating an
  onnxruntime.InferenceSession for the same file in this Python process
  (the PyPI onnxruntime, not the SDK inside inferd: same library family,
  not the same build).
- swap latency: two HTTP clients call `swapped` without a version for
  SWAP_SECONDS, once without swaps and once while versions are swapped
  every 0.25 s by explicit loads; p50/p99/max latency of both phases and
  the number of failed requests (must be 0).

Writes the model-control section of docs/benchmarks.md.

Usage: .venv/bin/python bench/model_control_bench.py --binary build/inferd --ocr-model PATH [--report FILE]
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tritonclient.http as httpclient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from models import control_models as cm  # noqa: E402
from server_process import InferdServer, start_or_fail  # noqa: E402

from marked_section import write_section  # noqa: E402

ROUNDS = 10
SWAP_SECONDS = 8.0
DATA = np.arange(4, dtype=np.float32).reshape(1, 4)


def milliseconds(values):
    ordered = sorted(values)
    return {"p50": statistics.median(ordered) * 1000,
            "p90": ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000,
            "max": ordered[-1] * 1000}


DET_CONFIG = """name: "ppocr_det_config"
backend: "onnxruntime"
max_batch_size: 0
input [ { name: "x" data_type: TYPE_FP32 dims: [ -1, 3, -1, -1 ] } ]
output [ { name: "sigmoid_0.tmp_0" data_type: TYPE_FP32 dims: [ -1, 1, -1, -1 ] } ]
"""


def time_load_unload(client, model):
    loads, unloads = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        client.load_model(model)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.unload_model(model)
        while any(row["name"] == model and row.get("state") != "UNAVAILABLE"
                  for row in client.get_model_repository_index()):
            time.sleep(0.001)
        unloads.append(time.perf_counter() - started)
    return milliseconds(loads), milliseconds(unloads)


def time_session_creation(model_path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    created = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        created.append(time.perf_counter() - started)
    return milliseconds(created)


def traffic(server, seconds, swap=None):
    latencies, failures = [], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client_loop():
        client = httpclient.InferenceServerClient(url=server.url, network_timeout=30)
        tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
        tensor.set_data_from_numpy(DATA, binary_data=True)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                client.infer("swapped", [tensor])
            except Exception as error:  # counted, never hidden
                with lock:
                    failures.append(repr(error))
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        client.close()

    threads = [threading.Thread(target=client_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    swaps = 0
    if swap is not None:
        while time.monotonic() < stop - 0.3:
            swap(swaps)
            swaps += 1
            time.sleep(0.25)
    for thread in threads:
        thread.join()
    return milliseconds(latencies), len(latencies), failures, swaps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "build" / "inferd"))
    parser.add_argument("--ocr-model", required=True, help="ch_PP-OCRv4_det_infer.onnx")
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="inferd_control_bench_"))
    try:
        repo = workdir / "repo"
        (repo / "ppocr_det" / "1").mkdir(parents=True)
        shutil.copy(args.ocr_model, repo / "ppocr_det" / "1" / "model.onnx")
        (repo / "ppocr_det_config" / "1").mkdir(parents=True)
        shutil.copy(args.ocr_model, repo / "ppocr_det_config" / "1" / "model.onnx")
        (repo / "ppocr_det_config" / "config.pbtxt").write_text(DET_CONFIG)
        cm.write_versioned(repo, "swapped", (1, 2, 3), cm.specific_policy(1))
        server = start_or_fail(InferdServer([repo], workdir / "inferd.log",
                                            ["--model-control-mode=explicit", "--load-model=swapped"],
                                            binary=Path(args.binary)))
        try:
            client = httpclient.InferenceServerClient(url=server.url, network_timeout=120)
            client.load_model("ppocr_det")  # first use of the backend, not timed
            client.unload_model("ppocr_det")
            load, unload = time_load_unload(client, "ppocr_det")
            load_configured, _ = time_load_unload(client, "ppocr_det_config")
            steady, steady_count, steady_failures, _ = traffic(server, SWAP_SECONDS)

            def swap(index):
                version = (index % 3) + 1
                config = {"backend": "onnxruntime", "max_batch_size": 8,
                          "version_policy": {"specific": {"versions": [version]}}}
                client.load_model("swapped", config=json.dumps(config))

            swapping, swapping_count, swap_failures, swaps = traffic(server, SWAP_SECONDS, swap)
        finally:
            server.stop()
        anchor = time_session_creation(args.ocr_model)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def row(name, figures):
        return f"| {name} | {figures['p50']:.1f} | {figures['p90']:.1f} | {figures['max']:.1f} |"

    lines = [
        "## Model control",
        "",
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores with "
        "`.venv/bin/python bench/model_control_bench.py --binary build/inferd --ocr-model <PP-OCRv4 det>` "
        "(part of `make bench`).",
        "",
        f"Load and unload of the PP-OCRv4 detection model, {ROUNDS} rounds, milliseconds at the client "
        "(unload: until the version is destroyed):",
        "",
        "| what | p50 | p90 | max |",
        "|---|---|---|---|",
        row("inferd load, no config.pbtxt (HTTP, 200 back)", load),
        row("inferd load, complete config.pbtxt", load_configured),
        row("inferd unload (to UNAVAILABLE)", unload),
        row("anchor: onnxruntime.InferenceSession (Python, PyPI build)", anchor),
        "",
        "Without a config.pbtxt, inferd opens the file once more (an ONNX Runtime session with no "
        "optimisation) to read the tensors it completes the config from; that is the difference between "
        "the first two rows. The rest of the gap to the anchor is not explained yet: the anchor is another "
        "ONNX Runtime build and excludes the HTTP round trip and inferd's instance set-up.",
        "",
        f"Request latency of a tiny model, 2 HTTP clients, {SWAP_SECONDS:.0f} s per phase, milliseconds:",
        "",
        "| phase | requests | failed | p50 | p90 | max |",
        "|---|---|---|---|---|---|",
        f"| no swaps | {steady_count} | {len(steady_failures)} | {steady['p50']:.2f} | {steady['p90']:.2f} | "
        f"{steady['max']:.2f} |",
        f"| {swaps} version swaps (explicit loads, every 0.25 s) | {swapping_count} | {len(swap_failures)} | "
        f"{swapping['p50']:.2f} | {swapping['p90']:.2f} | {swapping['max']:.2f} |",
        "",
    ]
    write_section(args.report, "model-control", lines)
    print("\n".join(lines))
    if steady_failures or swap_failures:
        print(f"FAILED requests: {(steady_failures + swap_failures)[:3]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
