"""Fixtures for the inferd integration suite.

Servers are expensive on a 2-core machine, so the healthy server is
session-scoped (it serves the generated test repository and the committed
examples/simple repository together); tests that need special flags ask
`server_factory` for their own. Every server is stopped by a finalizer even
when its test failed, and a failing test's report carries the tail of the
log of every server it used.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

from models import repositories
from server_process import REPO_ROOT, InferdServer, start_or_fail, find_binary

EXAMPLE_REPO = REPO_ROOT / "examples" / "simple"
EXAMPLE_MODELS = ["simple", "simple_nobatch", "simple_versioned", "simple_string"]
MAKE_EXAMPLE_MODELS = REPO_ROOT / "scripts" / "make_example_models.py"


def _example_models_missing():
    missing = []
    for model in EXAMPLE_MODELS:
        folder = EXAMPLE_REPO / model
        if not (folder / "config.pbtxt").is_file():
            missing.append(f"{model}/config.pbtxt")
        versions = [p for p in folder.glob("[0-9]*") if p.is_dir()] if folder.is_dir() else []
        if not versions or not all((v / "model.onnx").is_file() for v in versions):
            missing.append(f"{model}/<version>/model.onnx")
    return missing


@pytest.fixture(scope="session")
def inferd_binary():
    binary = find_binary()
    if not binary.is_file():
        pytest.fail(f"inferd binary not found at {binary}: build it first or set INFERD_BINARY")
    return binary


@pytest.fixture(scope="session")
def test_repo(tmp_path_factory):
    return repositories.write_test_repository(tmp_path_factory.mktemp("test_repo"))


@pytest.fixture(scope="session")
def broken_repo(tmp_path_factory):
    return repositories.write_broken_repository(tmp_path_factory.mktemp("broken_repo"))


@pytest.fixture(scope="session")
def example_repo():
    """examples/simple with its ONNX files generated (the configs are
    committed; the models come from scripts/make_example_models.py)."""
    if _example_models_missing() and MAKE_EXAMPLE_MODELS.is_file():
        result = subprocess.run([sys.executable, str(MAKE_EXAMPLE_MODELS), "--only-missing"],
                                cwd=str(REPO_ROOT), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            pytest.fail(f"{MAKE_EXAMPLE_MODELS} failed with {result.returncode}:\n"
                        f"{result.stdout}\n{result.stderr}")
    missing = _example_models_missing()
    if missing:
        pytest.fail(f"examples/simple is incomplete (missing {', '.join(missing)}); "
                    f"run scripts/make_example_models.py")
    return EXAMPLE_REPO


class ServerFactory:
    """Starts servers for one test and stops all of them afterwards."""

    def __init__(self, binary, log_dir):
        self.binary = binary
        self.log_dir = Path(log_dir)
        self.servers = []

    def create(self, repositories_, extra_args=(), max_open_files=None):
        """A server object with its ports chosen, not yet started."""
        log_path = self.log_dir / f"inferd_{len(self.servers)}.log"
        server = InferdServer(repositories_, log_path, extra_args, self.binary, max_open_files)
        self.servers.append(server)
        return server

    def start(self, repositories_, extra_args=(), max_open_files=None):
        return start_or_fail(self.create(repositories_, extra_args, max_open_files))

    def stop_all(self):
        for server in self.servers:
            server.stop()


@pytest.fixture
def server_factory(inferd_binary, tmp_path):
    factory = ServerFactory(inferd_binary, tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def server(inferd_binary, test_repo, example_repo, tmp_path_factory):
    """The shared healthy server: generated test models + examples/simple."""
    log_dir = tmp_path_factory.mktemp("inferd_session")
    instance = start_or_fail(InferdServer([test_repo, example_repo], log_dir / "inferd.log", binary=inferd_binary))
    yield instance
    instance.stop()


@pytest.fixture
def client(server):
    """A stock tritonclient HTTP client on the shared server."""
    triton = httpclient.InferenceServerClient(url=server.url, connection_timeout=30,
                                              network_timeout=30)
    yield triton
    triton.close()


@pytest.fixture
def grpc_client(server):
    """A stock tritonclient gRPC client on the shared server. The stock
    client already lifts gRPC's 4 MiB message limits to INT32_MAX."""
    if not server.serves_grpc():
        pytest.fail(f"{server.binary} has no gRPC service (its --help lists no --allow-grpc)")
    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    yield triton
    triton.close()


def _servers_used_by(item):
    found = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, InferdServer):
            found.append(value)
        elif isinstance(value, ServerFactory):
            found.extend(value.servers)
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of each involved server's log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for index, inferd in enumerate(_servers_used_by(item)):
            report.sections.append((f"inferd log {index}", inferd.log_tail()))
