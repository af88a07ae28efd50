"""`make soak`: ten minutes of mixed load on one inferd, watching its memory
and descriptors (not part of `make test`).

Load, all at once for SOAK_SECONDS (default 600): two HTTP clients and one
gRPC unary client calling `simple` in a loop, one gRPC stream, and once a
second a bad request (malformed HTTP, a wrong gRPC shape) and a connection
opened and dropped. Every 10 s the server's resident set and open
descriptors are sampled. Afterwards the load stops and the descriptors must
return to where they started.

The figures go to build/soak-results/ and into the soak section of
docs/benchmarks.md (between its soak markers; bench/report.py keeps it).
Exits non-zero when a good request failed, descriptors did not come back,
or the resident set grew by 1% or more after the first minute.

Usage: .venv/bin/python bench/soak.py [--seconds N] [--binary build/inferd] [--no-report]
"""

import argparse
import datetime
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from server_process import InferdServer, resident_mib  # noqa: E402

from marked_section import write_section  # noqa: E402

SAMPLE_EVERY_S = 10
WARM_UP_S = 60
DATA = np.arange(16, dtype=np.int32).reshape(1, 16)


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = {"http": 0, "grpc": 0, "stream": 0, "bad": 0}
        self.failures = []

    def add(self, kind):
        with self.lock:
            self.ok[kind] += 1

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(what)


def _check(outputs):
    np.testing.assert_array_equal(outputs[0], DATA + DATA)
    np.testing.assert_array_equal(outputs[1], DATA - DATA)


def http_client(server, stop, counters):
    client = httpclient.InferenceServerClient(url=server.url, network_timeout=30)
    inputs = [httpclient.InferInput(name, [1, 16], "INT32") for name in ("INPUT0", "INPUT1")]
    for tensor in inputs:
        tensor.set_data_from_numpy(DATA, binary_data=True)
    while not stop.is_set():
        try:
            result = client.infer("simple", inputs)
            _check([result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")])
            counters.add("http")
        except Exception as error:  # noqa: BLE001 (reported, not hidden)
            counters.fail(f"HTTP: {error}")
    client.close()


def grpc_inputs():
    inputs = [grpcclient.InferInput(name, [1, 16], "INT32") for name in ("INPUT0", "INPUT1")]
    for tensor in inputs:
        tensor.set_data_from_numpy(DATA)
    return inputs


def grpc_client(server, stop, counters):
    client = grpcclient.InferenceServerClient(url=server.grpc_url)
    inputs = grpc_inputs()
    while not stop.is_set():
        try:
            result = client.infer("simple", inputs, client_timeout=30)
            _check([result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")])
            counters.add("grpc")
        except Exception as error:  # noqa: BLE001
            counters.fail(f"gRPC: {error}")
    client.close()


def grpc_stream(server, stop, counters):
    client = grpcclient.InferenceServerClient(url=server.grpc_url)
    answers = queue.Queue()
    client.start_stream(callback=lambda result, error: answers.put((result, error)))
    inputs = grpc_inputs()
    while not stop.is_set():
        for _ in range(8):
            client.async_stream_infer("simple", inputs)
        for _ in range(8):
            try:
                result, error = answers.get(timeout=30)
            except queue.Empty:
                counters.fail("stream: no answer within 30 s")
                break
            if error is not None:
                counters.fail(f"stream: {error}")
            else:
                counters.add("stream")
    client.stop_stream()
    client.close()


BAD_HTTP = [
    b"GARBAGE\r\n\r\n",
    b"POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{bad js",
    b"POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
    b"GET /v2/models/" + b"m" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
]


def bad_requests(server, stop, counters):
    client = grpcclient.InferenceServerClient(url=server.grpc_url)
    wrong = grpcclient.InferInput("INPUT0", [1, 15], "INT32")
    wrong.set_data_from_numpy(DATA[:, :15])
    index = 0
    while not stop.wait(1.0):
        index += 1
        try:
            with socket.create_connection(("127.0.0.1", server.http_port), timeout=10) as sock:
                sock.sendall(BAD_HTTP[index % len(BAD_HTTP)])
                reply = sock.recv(4096)
                if not reply.startswith(b"HTTP/1.1 4"):
                    counters.fail(f"bad HTTP request answered {reply[:40]!r}")
            # A connection opened and dropped without a word.
            socket.create_connection(("127.0.0.1", server.http_port), timeout=10).close()
            try:
                client.infer("simple", [wrong, wrong], client_timeout=30)
                counters.fail("a wrong gRPC shape was accepted")
            except Exception:  # noqa: BLE001 (the expected INVALID_ARGUMENT)
                pass
            counters.add("bad")
        except OSError as error:
            counters.fail(f"bad requests: {error}")
    client.close()


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def slope_mib_per_hour(samples):
    """Least-squares slope of RSS over time after the warm-up."""
    points = [(t, rss) for t, rss, _ in samples if t >= WARM_UP_S]
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_r = sum(r for _, r in points) / len(points)
    covariance = sum((t - mean_t) * (r - mean_r) for t, r in points)
    variance = sum((t - mean_t) ** 2 for t, _ in points)
    return covariance / variance * 3600 if variance else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", "600")))
    parser.add_argument("--binary", default=str(ROOT / "build" / "inferd"))
    parser.add_argument("--no-report", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    out = ROOT / "build" / "soak-results"
    out.mkdir(parents=True, exist_ok=True)

    server = InferdServer([ROOT / "examples" / "simple"], out / "inferd.log", binary=args.binary).start()
    counters = Counters()
    stop = threading.Event()
    try:
        pid = server.process.pid
        time.sleep(1)
        start_fds = descriptors(pid)
        workers = [threading.Thread(target=target, args=(server, stop, counters), daemon=True)
                   for target in (http_client, http_client, grpc_client, grpc_stream, bad_requests)]
        for worker in workers:
            worker.start()
        samples = []
        began = time.monotonic()
        while (elapsed := time.monotonic() - began) < args.seconds:
            samples.append((round(elapsed), resident_mib(pid), descriptors(pid)))
            print(f"soak: {samples[-1][0]:4d} s  RSS {samples[-1][1]:7.1f} MiB  descriptors {samples[-1][2]:4d}  "
                  f"{counters.ok}", flush=True)
            time.sleep(min(SAMPLE_EVERY_S, max(0.0, args.seconds - elapsed)))
        samples.append((round(time.monotonic() - began), resident_mib(pid), descriptors(pid)))
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        time.sleep(2)
        end_fds = descriptors(pid)
    finally:
        stop.set()
        server.stop()

    with open(out / "samples.csv", "w") as handle:
        handle.write("seconds,rss_mib,descriptors\n")
        handle.writelines(f"{t},{rss:.2f},{fds}\n" for t, rss, fds in samples)
    after_warm_up = [s for s in samples if s[0] >= WARM_UP_S] or samples
    first, last = after_warm_up[0], samples[-1]
    growth = (last[1] - first[1]) / first[1] * 100
    slope = slope_mib_per_hour(samples)
    total = sum(counters.ok.values())
    ok = not counters.failures and end_fds <= start_fds and growth < 1.0
    summary = [
        "## Soak: 10 minutes of mixed load (`make soak`)",
        "",
        f"Run {datetime.date.today().isoformat()}, {args.seconds} s, {os.cpu_count()} cores; bench/soak.py: two HTTP",
        "clients and one gRPC unary client calling `simple` in a loop, one gRPC stream (8 requests in",
        "flight), and once a second a malformed HTTP request, a dropped connection and a wrong gRPC shape.",
        "",
        "| | value |",
        "|---|---:|",
        f"| requests answered (HTTP / gRPC / stream / bad) | {counters.ok['http']} / {counters.ok['grpc']} / "
        f"{counters.ok['stream']} / {counters.ok['bad']} ({total / args.seconds:.0f}/s) |",
        f"| failed good requests | {len(counters.failures)} |",
        f"| RSS at {first[0]} s / at the end | {first[1]:.1f} MiB / {last[1]:.1f} MiB |",
        f"| RSS growth after the first minute | {growth:+.2f}% (goal < 1%), {slope:+.1f} MiB/hour fitted |",
        f"| RSS min / max over the run | {min(s[1] for s in samples):.1f} / {max(s[1] for s in samples):.1f} MiB |",
        f"| descriptors before / during (max) / after | {start_fds} / {max(s[2] for s in samples)} / {end_fds} |",
        "",
        f"Samples every {SAMPLE_EVERY_S} s: build/soak-results/samples.csv. Result: {'pass' if ok else 'FAIL'}.",
    ]
    print("\n".join(summary))
    for failure in counters.failures:
        print(f"soak: failure: {failure}")
    if not args.no_report:
        write_section(ROOT / "docs" / "benchmarks.md", "soak", summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
