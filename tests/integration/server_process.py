"""Starts and stops the real inferd binary for the integration tests.

One `InferdServer` is one process with its own free ports and its own log
file. `stop()` is safe to call any number of times and always leaves no
process behind (SIGTERM, wait, then SIGKILL), so fixtures call it from
finalizers even when a test failed.

`start()` returns once HTTP answers /v2/health/live and, when the binary
serves gRPC and `--allow-grpc=false` is not among the extra arguments, once
the gRPC port accepts connections: the gRPC service may start a moment after
HTTP, and a test that dials it first would see a spurious UNAVAILABLE.
"""

import functools
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
LOG_TAIL_LINES = 60


def find_binary():
    """$INFERD_BINARY, else build/inferd, else the newest build-*/inferd."""
    from_env = os.environ.get("INFERD_BINARY")
    if from_env:
        return Path(from_env)
    default = REPO_ROOT / "build" / "inferd"
    if default.is_file():
        return default
    candidates = [p for p in REPO_ROOT.glob("build*/inferd") if p.is_file()]
    candidates += [p for p in REPO_ROOT.glob("build*/src/app/inferd") if p.is_file()]
    if candidates:
        return max(candidates, key=lambda p: p.stat().st_mtime)
    return default


def free_ports(count):
    """`count` distinct ports nothing listens on right now. All sockets stay
    bound until every port is read: bound one after another, the kernel may
    hand out a port it just released, and two services then collide."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port():
    """A port nothing listens on right now: bind port 0, read it, close."""
    return free_ports(1)[0]


def _http_status(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def _port_accepts(port, timeout=1.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


@functools.lru_cache(maxsize=None)
def binary_serves_grpc(binary):
    """Whether this inferd build has the gRPC service (its --help lists
    --allow-grpc). Builds from before the gRPC frontend accept --grpc-port
    but never listen on it; the HTTP suite must still run against them."""
    try:
        result = subprocess.run([str(binary), "--help"], capture_output=True, text=True,
                                timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--allow-grpc" in result.stdout + result.stderr


def grpc_disabled_by(args):
    """True when `args` turn gRPC off (`--allow-grpc=false` or
    `--allow-grpc false`, any spelling of false CLI11 accepts)."""
    falsy = {"false", "0", "off", "no"}
    for index, arg in enumerate(args):
        if arg.startswith("--allow-grpc="):
            if arg.split("=", 1)[1].lower() in falsy:
                return True
        elif arg == "--allow-grpc" and index + 1 < len(args):
            if args[index + 1].lower() in falsy:
                return True
    return False


@functools.lru_cache(maxsize=None)
def binary_is_sanitized(binary):
    """Whether `binary` was built with sanitizers (its build folder's
    CMakeCache sets INFERD_SANITIZE): their allocators keep freed memory in
    quarantine, so memory figures mean nothing there."""
    cache = Path(binary).parent / "CMakeCache.txt"
    try:
        for line in cache.read_text(errors="replace").splitlines():
            if line.startswith("INFERD_SANITIZE:"):
                return line.split("=", 1)[1].strip() != ""
    except OSError:
        pass
    return False


def resident_mib(pid, field="VmRSS"):
    """A memory figure of process `pid` from /proc (VmRSS now, VmHWM the
    peak), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise ValueError(f"no {field} for process {pid}")


def wait_for(predicate, timeout=20.0, interval=0.05):
    """True as soon as predicate() is; False when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class ServerStartError(RuntimeError):
    pass


def start_or_fail(server):
    """Starts `server` and returns it; a server that does not come up fails
    the calling test with the tail of its log."""
    import pytest  # only tests call this; the module itself stays pytest-free

    try:
        return server.start()
    except ServerStartError as error:
        pytest.fail(str(error))


class InferdServer:
    """One inferd process serving `repositories` with `extra_args`."""

    def __init__(self, repositories, log_path, extra_args=(), binary=None, max_open_files=None):
        """`max_open_files`: the process's descriptor limit (RLIMIT_NOFILE),
        as `prlimit --nofile=N` would set it."""
        self.binary = Path(binary) if binary else find_binary()
        self.max_open_files = max_open_files
        self.repositories = [str(r) for r in repositories]
        self.log_path = Path(log_path)
        self.extra_args = list(extra_args)
        self.http_port, self.grpc_port, self.metrics_port = free_ports(3)
        self.process = None
        self._log_file = None
        self.exit_code = None

    @property
    def url(self):
        """host:port as tritonclient wants it. 127.0.0.1, never `localhost`,
        because localhost may resolve to ::1 first and we bind IPv4 only."""
        return f"127.0.0.1:{self.http_port}"

    @property
    def base_url(self):
        return f"http://{self.url}"

    @property
    def grpc_url(self):
        """host:port for tritonclient.grpc (IPv4 for the same reason as `url`)."""
        return f"127.0.0.1:{self.grpc_port}"

    def serves_grpc(self):
        return binary_serves_grpc(str(self.binary)) and not grpc_disabled_by(self.extra_args)

    def command(self):
        cmd = [str(self.binary)]
        for repo in self.repositories:
            cmd += ["--model-repository", repo]
        cmd += [
            "--http-port", str(self.http_port),
            "--http-address", "127.0.0.1",
            "--grpc-port", str(self.grpc_port),
            "--metrics-port", str(self.metrics_port),
        ]
        if binary_serves_grpc(str(self.binary)) and not any(
                arg == "--grpc-address" or arg.startswith("--grpc-address=")
                for arg in self.extra_args):
            cmd += ["--grpc-address", "127.0.0.1"]
        return cmd + self.extra_args

    def launch(self):
        """Start the process without waiting for it to become live."""
        if not self.binary.is_file():
            raise ServerStartError(
                f"inferd binary not found at {self.binary} (build it, or set INFERD_BINARY)")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "wb")
        self._log_file.write(("$ " + " ".join(self.command()) + "\n").encode())
        self._log_file.flush()
        # No preexec_fn: with one, Python forks and runs the child's atfork
        # handlers, and grpcio's (the gRPC clients of this very process) can
        # abort the child before it runs inferd ("Epoll1Poller ... epoll_wait
        # error: Bad file descriptor" in the server's log, exit -6). A
        # descriptor limit goes through prlimit(1) instead.
        command = self.command()
        if self.max_open_files is not None:
            limit = self.max_open_files
            command = ["prlimit", f"--nofile={limit}:{limit}", "--"] + command
        self.process = subprocess.Popen(
            command, stdout=self._log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=str(REPO_ROOT))

    def start(self, timeout=START_TIMEOUT_S):
        """Launch and wait until GET /v2/health/live answers 200 and, when
        gRPC is served, until the gRPC port accepts connections."""
        self.launch()
        deadline = time.monotonic() + timeout
        live_url = f"{self.base_url}/v2/health/live"
        wait_for_grpc = self.serves_grpc()
        http_live = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._close_log()
                raise ServerStartError(
                    f"inferd exited with code {self.process.returncode} before it was live\n"
                    + self.log_tail())
            http_live = http_live or _http_status(live_url) == 200
            if http_live and (not wait_for_grpc or _port_accepts(self.grpc_port)):
                return self
            time.sleep(0.1)
        self.stop()
        waiting_for = "gRPC port did not accept connections" if http_live else "was not live"
        raise ServerStartError(f"inferd {waiting_for} after {timeout} s\n" + self.log_tail())

    def wait_exit(self, timeout):
        """For servers expected to exit on their own: the exit code, or None
        when it was still running after `timeout` (it is then stopped)."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return None
        finally:
            self._close_log()

    def stop(self):
        """SIGTERM, wait, SIGKILL if needed. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        self.exit_code = self.process.returncode
        self._close_log()
        return self.exit_code

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def _close_log(self):
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.close()

    def log_text(self):
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=LOG_TAIL_LINES):
        tail = self.log_text().splitlines()[-lines:]
        return f"--- last {len(tail)} lines of {self.log_path} ---\n" + "\n".join(tail)
