"""Connection-level robustness: many idle clients at a low descriptor
limit, clients that send a header slowly or not at all, idle keep-alive
connections, and the server's memory after a burst of large requests.

Each test starts its own server (its flags and limits differ) and ends by
checking that a normal client is served."""

import concurrent.futures
import http.client
import resource
import socket
import time

import numpy as np
import pytest

from models import repositories
from server_process import binary_is_sanitized, resident_mib

pytestmark = pytest.mark.timeout(120)

ECHO = "echo_fp32"  # FP32 [-1] -> the same
# ONNX Runtime's CPU arena keeps the largest tensors it has served (by
# design, and fast: turning it off costs about 30% on PP-OCRv4 detection);
# the memory test measures what inferd itself allocates, so its model turns
# the arena off with Triton's parameter.
NO_ARENA = 'parameters { key: "enable_mem_arena" value: { string_value: "false" } }\n'


@pytest.fixture(scope="module")
def echo_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("echo_repo")
    repositories.write_echo_model(repo, ECHO, NO_ARENA)
    return repo


def _ready_within(server, seconds):
    """GET /v2/health/ready on a fresh connection; returns the seconds it took."""
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=seconds)
    try:
        connection.request("GET", "/v2/health/ready")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    return time.monotonic() - start


def _seconds_until_closed(sock, limit_s):
    """Waits for the server to close `sock`; the seconds it took, or None."""
    start = time.monotonic()
    sock.settimeout(limit_s)
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start


def test_a_new_client_is_served_past_the_descriptor_limit(server_factory, echo_repo):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 2600:
        pytest.skip(f"this test holds 2,200 sockets; the descriptor limit here is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2600), hard))
    server = server_factory.start([echo_repo], max_open_files=2048)
    idle = []
    try:
        for _ in range(2200):
            idle.append(socket.create_connection(("127.0.0.1", server.http_port), timeout=10))
        assert _ready_within(server, 5) < 5
        # Every new connection past the limit closed an idle one; the log
        # says so in a line every ten seconds at most, with a count.
        log = server.log_text()
        assert "closing the oldest idle connection" in log
        assert log.count("closing the oldest idle connection") <= 3, log[-3000:]
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert _ready_within(server, 5) < 5


def test_a_half_sent_header_is_closed_within_the_header_timeout(server_factory, echo_repo):
    server = server_factory.start([echo_repo], ["--http-header-timeout-secs=2"])
    half = socket.create_connection(("127.0.0.1", server.http_port))
    drip = socket.create_connection(("127.0.0.1", server.http_port))
    silent = socket.create_connection(("127.0.0.1", server.http_port))
    try:
        half.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        start = time.monotonic()
        # A byte every 0.3 s: the timeout counts from the header's first byte.
        header = b"GET /v2/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40
        closed_at = None
        for byte in header:
            try:
                drip.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed_at = time.monotonic() - start
                break
            time.sleep(0.3)
        assert _ready_within(server, 5) < 5, "slow clients must not hold up others"
        half_closed = _seconds_until_closed(half, 6)
        assert half_closed is not None, "a half-sent header was kept past the timeout"
        if closed_at is None:
            closed_at = _seconds_until_closed(drip, 6)
        assert closed_at is not None and closed_at < 5, f"a dripping header was kept {closed_at} s"
        assert _seconds_until_closed(silent, 6) is not None, "a connection that never spoke was kept"
    finally:
        for sock in (half, drip, silent):
            sock.close()


def test_idle_keep_alive_connections_close_after_the_keepalive_timeout(server_factory, echo_repo):
    server = server_factory.start([echo_repo], ["--http-keepalive-timeout-secs=1"])
    sock = socket.create_connection(("127.0.0.1", server.http_port))
    try:
        sock.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 200 and not response.will_close
        response.read()
        closed = _seconds_until_closed(sock, 5)
        assert closed is not None and closed < 4
    finally:
        sock.close()


def _binary_infer_body(values):
    header = ('{"inputs":[{"name":"INPUT0","datatype":"FP32","shape":[%d],"parameters":{"binary_data_size":%d}}],'
              '"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}' % (values.size, values.nbytes))
    return header, header.encode() + values.tobytes()


def test_memory_returns_after_a_burst_of_large_requests(server_factory, echo_repo, inferd_binary):
    """A burst of 64 MiB of requests at a time (60 MiB ones, and sixteen
    4 MiB ones in parallel, which malloc serves from its arenas rather than
    fresh mappings); afterwards the resident set comes back down to within
    32 MiB of where it was: the memory trimmer lets up to 16 MiB of free
    memory stay resident, plus what fragmentation leaves. Without the
    trimmer the burst's arena memory (well over 100 MiB) would stay."""
    if binary_is_sanitized(inferd_binary):
        pytest.skip("sanitizer allocators keep freed memory in quarantine")
    server = server_factory.start([echo_repo])

    def infer(values):
        header, body = _binary_infer_body(values)
        connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=60)
        try:
            connection.request("POST", f"/v2/models/{ECHO}/infer", body,
                               {"Inference-Header-Content-Length": str(len(header))})
            response = connection.getresponse()
            assert response.status == 200, response.read()[:300]
            assert len(response.read()) > values.nbytes
        finally:
            connection.close()

    large = np.ones((60 << 20) // 4, dtype=np.float32)  # under the 64 MiB body limit with its header
    medium = np.ones((4 << 20) // 4, dtype=np.float32)
    infer(medium)  # the first request sets up what stays (model buffers, thread arenas)
    time.sleep(3)
    before = resident_mib(server.process.pid)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        for _ in range(3):
            infer(large)
            list(pool.map(infer, [medium] * 16))
    peak = resident_mib(server.process.pid, "VmHWM")
    allowed = before + 32
    assert peak > allowed + 64, f"the burst peaked at only {peak:.0f} MiB ({before:.0f} MiB before)"
    deadline = time.monotonic() + 20
    while resident_mib(server.process.pid) > allowed and time.monotonic() < deadline:
        time.sleep(0.5)
    after = resident_mib(server.process.pid)
    assert after <= allowed, f"RSS {after:.0f} MiB after the burst (peak {peak:.0f}), {before:.0f} MiB before"
