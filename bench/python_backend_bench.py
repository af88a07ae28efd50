"""The same model.py files under inferd and under the real Triton server,
side by side in one run (part of `make bench`).

Models (tests/integration/models/python_models.py style, written here):
- `add_sub_py`: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 on FP32 [16];
- `identity_1mb`: OUTPUT0 = INPUT0 on FP32 [262144] (1 MiB each way).

Triton is tritonserver from the `nvidia-pytriton` wheel (PyPI), installed into
the bench-only venv .venv-bench (created here when missing), with its Python
backend: the stub built for this Python is put next to libtriton_python.so,
and this Python's lib folder and the wheel's own libraries go on
LD_LIBRARY_PATH. Triton's stub ignores PYTHONPATH (its interpreter starts
isolated from the environment), so the project venv's numpy is linked into
the backend folder, which is on the stub's sys.path. inferd runs the same
files with its own Python backend and the project venv's Python, so both use
the same Python and the same numpy.

Each point is the stock perf_analyzer (scripts/perf_analyzer) at concurrency
1, 2, 4, 8 over HTTP and gRPC; throughput and p50/p99 latency. Writes the
python-backend section of docs/benchmarks.md.

Usage: .venv/bin/python bench/python_backend_bench.py [--binary build/inferd] [--report FILE]
       [--measurement-ms 3000]
"""

import argparse
import csv
import datetime
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from server_process import InferdServer, free_ports, start_or_fail  # noqa: E402

from marked_section import write_section  # noqa: E402

BENCH_VENV = ROOT / ".venv-bench"
PYTRITON_WHEEL = "nvidia-pytriton==0.7.0"  # ships tritonserver 2.51 with its Python backend
CONCURRENCIES = (1, 2, 4, 8)
MODELS = ("add_sub_py", "identity_1mb")

ADD_SUB = '''
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            a = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            b = pb_utils.get_input_tensor_by_name(request, "INPUT1").as_numpy()
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0", a + b),
                                                         pb_utils.Tensor("OUTPUT1", a - b)]))
        return responses
'''

IDENTITY = '''
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0",
                pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy())]) for request in requests]
'''


def tensor(name, dims):
    return f'  {{ name: "{name}" data_type: TYPE_FP32 dims: [ {dims} ] }}'


def write_repository(repo):
    models = {
        "add_sub_py": (ADD_SUB, [tensor("INPUT0", 16), tensor("INPUT1", 16)],
                       [tensor("OUTPUT0", 16), tensor("OUTPUT1", 16)]),
        "identity_1mb": (IDENTITY, [tensor("INPUT0", 262144)], [tensor("OUTPUT0", 262144)]),
    }
    for name, (source, inputs, outputs) in models.items():
        folder = repo / name
        (folder / "1").mkdir(parents=True)
        (folder / "1" / "model.py").write_text(source)
        (folder / "config.pbtxt").write_text(
            f'name: "{name}"\nbackend: "python"\nmax_batch_size: 0\n'
            "input [\n" + ",\n".join(inputs) + "\n]\noutput [\n" + ",\n".join(outputs) + "\n]\n"
            "instance_group [ { count: 1 kind: KIND_CPU } ]\n")


def bench_venv_tritonserver():
    """.venv-bench's pytriton/tritonserver folder, installing it when missing."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    found = list(BENCH_VENV.glob("lib/python3*/site-packages/pytriton/tritonserver/bin/tritonserver"))
    if not found:
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", PYTRITON_WHEEL],
                       check=True)
        found = list(BENCH_VENV.glob("lib/python3*/site-packages/pytriton/tritonserver/bin/tritonserver"))
    return found[0].parents[1]


class TritonServer:
    """tritonserver with its Python backend on the repository, stopped by stop()."""

    def __init__(self, triton_dir, repo, workdir):
        self.http_port, self.grpc_port, self.metrics_port = free_ports(3)
        backends = workdir / "triton_backends"
        shutil.copytree(triton_dir / "backends", backends)
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        shutil.copy(triton_dir / "python_backend_stubs" / version / "triton_python_backend_stub",
                    backends / "python" / "triton_python_backend_stub")
        site_packages = Path(sysconfig.get_paths()["purelib"])
        for package in ("numpy", "numpy.libs"):
            if (site_packages / package).exists():
                (backends / "python" / package).symlink_to(site_packages / package)
        wheel_libraries = triton_dir.parents[1] / "nvidia_pytriton.libs"
        environment = dict(os.environ)
        environment["LD_LIBRARY_PATH"] = ":".join(filter(None, [sysconfig.get_config_var("LIBDIR"), str(wheel_libraries),
                                                                environment.get("LD_LIBRARY_PATH")]))
        self.log = open(workdir / "tritonserver.log", "wb")
        self.process = subprocess.Popen(
            [str(triton_dir / "bin" / "tritonserver"), "--model-repository", str(repo),
             "--backend-directory", str(backends), "--http-port", str(self.http_port),
             "--grpc-port", str(self.grpc_port), "--metrics-port", str(self.metrics_port),
             "--http-address", "127.0.0.1", "--grpc-address", "127.0.0.1", "--allow-metrics", "false"],
            stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 120
        import tritonclient.http as httpclient
        client = httpclient.InferenceServerClient(url=f"127.0.0.1:{self.http_port}")
        while time.monotonic() < deadline:
            try:
                if all(client.is_model_ready(model) for model in MODELS):
                    return
            except Exception:  # not listening yet
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("tritonserver did not serve the models:\n" + (workdir / "tritonserver.log").read_text()[-3000:])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def perf(port, protocol, model, concurrency, measurement_ms, output):
    command = [str(ROOT / "scripts" / "perf_analyzer"), "-m", model, "-u", f"127.0.0.1:{port}", "-i", protocol,
               "--concurrency-range", str(concurrency), "--measurement-interval", str(measurement_ms),
               "--stability-percentage", "25", "--max-trials", "10", "-f", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    with open(output, newline="") as handle:
        row = list(csv.DictReader(handle))[-1]
    return {"throughput": float(row["Inferences/Second"]), "p50_ms": float(row["p50 latency"]) / 1000,
            "p99_ms": float(row["p99 latency"]) / 1000}


def measure(name, http_port, grpc_port, measurement_ms, workdir):
    results = {}
    for model in MODELS:
        for protocol, port in (("http", http_port), ("grpc", grpc_port)):
            for concurrency in CONCURRENCIES:
                out = workdir / f"{name}_{model}_{protocol}_c{concurrency}.csv"
                results[(model, protocol, concurrency)] = perf(port, protocol, model, concurrency, measurement_ms, out)
                print(name, model, protocol, concurrency, results[(model, protocol, concurrency)], flush=True)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / "build" / "inferd"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--measurement-ms", type=int, default=3000)
    args = parser.parse_args()
    triton_dir = bench_venv_tritonserver()
    workdir = Path(tempfile.mkdtemp(prefix="inferd_python_bench_"))
    try:
        repo = workdir / "repo"
        write_repository(repo)
        inferd = start_or_fail(InferdServer([repo], workdir / "inferd.log", binary=Path(args.binary)))
        try:
            ours = measure("inferd", inferd.http_port, inferd.grpc_port, args.measurement_ms, workdir)
        finally:
            inferd.stop()
        triton = TritonServer(triton_dir, repo, workdir)
        try:
            theirs = measure("triton", triton.http_port, triton.grpc_port, args.measurement_ms, workdir)
        finally:
            triton.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    lines = [
        "## Python backend: inferd and Triton on the same model.py",
        "",
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores with "
        "`.venv/bin/python bench/python_backend_bench.py` (part of `make bench`): the stock perf_analyzer, "
        f"{args.measurement_ms} ms windows, one instance per model, tritonserver 2.51 from the nvidia-pytriton "
        "0.7.0 wheel with its Python backend, the same Python 3.11 and numpy for both.",
        "",
        "| model | protocol | concurrency | inferd infer/s | Triton infer/s | ratio | inferd p50 ms | Triton p50 ms "
        "| inferd p99 ms | Triton p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (model, protocol, concurrency), mine in ours.items():
        other = theirs[(model, protocol, concurrency)]
        lines.append(
            f"| {model} | {protocol} | {concurrency} | {mine['throughput']:.0f} | {other['throughput']:.0f} | "
            f"{mine['throughput'] / other['throughput']:.2f} | {mine['p50_ms']:.3f} | {other['p50_ms']:.3f} | "
            f"{mine['p99_ms']:.3f} | {other['p99_ms']:.3f} |")
    lines.append("")
    write_section(args.report, "python-backend", lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
