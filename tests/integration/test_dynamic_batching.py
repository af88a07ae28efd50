"""Dynamic batching and concurrent instances, driven by the stock
tritonclient.http with many concurrent clients.

Every model here runs `square_cost_model` (models/batching_models.py): the
output equals the input, and the request's width picks how long an execution
takes. A "slow" request keeps an instance busy for about half a second (the
width is calibrated on this machine first), so tests can line requests up
behind it without racing the clock; no test asserts a speed threshold.
"""

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw
from metrics_scrape import scrape
from models.batching_models import write_batching_repository
from server_process import InferdServer, start_or_fail

SLOW_TARGET_S = 0.8
# How long to let an earlier request reach the instance before sending the next.
SETTLE_S = 0.2
FAST_WIDTH = 4
MAX_WIDTH = 8000


@pytest.fixture(scope="module")
def batching_server(inferd_binary, tmp_path_factory):
    repo = write_batching_repository(tmp_path_factory.mktemp("batching_repo"))
    log_dir = tmp_path_factory.mktemp("batching_server")
    server = start_or_fail(InferdServer([repo], log_dir / "inferd.log", binary=inferd_binary))
    yield server
    server.stop()


def new_client(server):
    return httpclient.InferenceServerClient(url=server.url, connection_timeout=60, network_timeout=60)


@pytest.fixture
def client(batching_server):
    triton = new_client(batching_server)
    yield triton
    triton.close()


def make_input(rows, width, seed):
    data = np.random.default_rng(seed).random((rows, width), dtype=np.float32)
    tensor = httpclient.InferInput("INPUT0", [rows, width], "FP32")
    tensor.set_data_from_numpy(data, binary_data=True)
    return tensor, data


def infer(triton, model, rows, width, seed, **kwargs):
    """One request; returns (its input, its output)."""
    tensor, data = make_input(rows, width, seed)
    result = triton.infer(model, [tensor], outputs=[httpclient.InferRequestedOutput("OUTPUT0", binary_data=True)],
                          **kwargs)
    return data, result.as_numpy("OUTPUT0")


def model_stats(triton, model):
    stats = triton.get_inference_statistics(model)["model_stats"]
    assert len(stats) == 1, stats
    return stats[0]


def batch_sizes(stats):
    return {int(entry["batch_size"]): int(entry["compute_infer"]["count"]) for entry in stats.get("batch_stats", [])}


class SlowWidth:
    """A width whose execution takes about SLOW_TARGET_S on this machine.

    Small widths are dominated by fixed per-request costs, so the cubic
    scaling is applied from a probe that already takes tens of milliseconds,
    then corrected from the fastest of two runs at the chosen width: noise
    (a busy CI machine, a sanitizer) only ever makes a run slower, and a
    width chosen from a slow run would then be too short later."""

    def __init__(self, server):
        triton = new_client(server)

        def seconds_at(width):
            fastest = None
            for _ in range(2):
                start = time.monotonic()
                infer(triton, "db_priority", 1, width, 0)
                took = max(time.monotonic() - start, 1e-3)
                fastest = took if fastest is None else min(fastest, took)
            return fastest

        try:
            width = 1200
            seconds_at(width)  # warm up
            for _ in range(2):
                width = int(width * (SLOW_TARGET_S / seconds_at(width)) ** (1 / 3))
                width = max(200, min(width, MAX_WIDTH))
        finally:
            triton.close()
        self.width = width

    def lengthen(self):
        """About twice the execution time, for a retry on a machine that got faster."""
        self.width = min(int(self.width * 2 ** (1 / 3)) + 1, MAX_WIDTH)


@pytest.fixture(scope="module")
def slow(batching_server):
    return SlowWidth(batching_server)


def behind_a_slow_request(slow, scenario, attempts=3):
    """Runs scenario(width) until the slow request it starts outlasts the
    requests the scenario lines up behind it.

    scenario returns False, before asserting anything, when its slow request
    ended too early for the test to mean anything; it is then run again with
    a longer one. Its assertions are checked only on a run where the slow
    request was still running when the last request behind it arrived."""
    for _ in range(attempts):
        if scenario(slow.width):
            return
        slow.lengthen()
    pytest.fail(f"the slow request never outlasted the requests queued behind it (width {slow.width})")


def outlasted(running, moment):
    """Whether `running` was still executing SETTLE_S after `moment`, enough
    for a request sent at `moment` to have reached the queue behind it."""
    return running.ended >= moment + SETTLE_S


class Timed:
    """Runs a request on its own thread and client; records when it ended."""

    def __init__(self, server, model, width, seed, **kwargs):
        self.result = None
        self.error = None
        self.ended = None
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(server, model, width, seed, kwargs))
        self._thread.start()

    def _run(self, server, model, width, seed, kwargs):
        triton = new_client(server)
        try:
            self.result = infer(triton, model, 1, width, seed, **kwargs)
        except InferenceServerException as error:
            self.error = error
        finally:
            self.ended = time.monotonic()
            triton.close()

    def join(self, timeout=60):
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "request did not finish"
        return self


def assert_echo(timed):
    assert timed.error is None, str(timed.error)
    sent, received = timed.result
    np.testing.assert_array_equal(received, sent)


def test_many_concurrent_clients_get_their_own_rows_in_batches(batching_server):
    clients, per_client = 16, 12

    def run(index):
        triton = new_client(batching_server)
        mismatches = 0
        try:
            for i in range(per_client):
                rows = 1 + (index + i) % 3
                sent, received = infer(triton, "db_default", rows, 64, seed=index * 1000 + i)
                if received.shape != sent.shape or not np.array_equal(received, sent):
                    mismatches += 1
        finally:
            triton.close()
        return mismatches

    with ThreadPoolExecutor(clients) as pool:
        mismatches = sum(pool.map(run, range(clients)))
    assert mismatches == 0

    triton = new_client(batching_server)
    stats = model_stats(triton, "db_default")
    triton.close()
    requests = clients * per_client
    rows = sum(1 + (c + i) % 3 for c in range(clients) for i in range(per_client))
    assert int(stats["inference_stats"]["success"]["count"]) == requests
    assert int(stats["inference_count"]) == rows
    # Batches formed: fewer executions than requests.
    assert int(stats["execution_count"]) < requests
    sizes = batch_sizes(stats)
    assert sizes, stats
    assert max(sizes) <= 8, sizes
    assert sum(size * count for size, count in sizes.items()) == rows
    assert sum(sizes.values()) == int(stats["execution_count"])


def test_preferred_batch_size_runs_without_waiting_for_the_delay(batching_server, client):
    # max_queue_delay is 5 s; two rows make the preferred size 2 at once.
    start = time.monotonic()
    pending = [Timed(batching_server, "db_preferred", FAST_WIDTH, seed) for seed in (1, 2)]
    for timed in pending:
        assert_echo(timed.join())
    assert time.monotonic() - start < 4.0
    assert batch_sizes(model_stats(client, "db_preferred")) == {2: 1}


def test_queue_delay_gathers_requests_into_one_batch(batching_server, client):
    # preferred 8, delay 0.4 s: three requests sent together leave together.
    start = time.monotonic()
    pending = [Timed(batching_server, "db_delay", FAST_WIDTH, seed) for seed in (1, 2, 3)]
    for timed in pending:
        assert_echo(timed.join())
    assert min(t.ended for t in pending) - start >= 0.35
    stats = model_stats(client, "db_delay")
    assert batch_sizes(stats) == {3: 1}
    assert int(stats["execution_count"]) == 1
    assert int(stats["inference_count"]) == 3


def test_full_queue_rejects_with_a_clear_error(batching_server, slow):
    def scenario(width):
        running = Timed(batching_server, "db_queue_limit", width, 0)
        time.sleep(SETTLE_S)  # let it reach the instance
        burst = [Timed(batching_server, "db_queue_limit", FAST_WIDTH, seed) for seed in range(1, 7)]
        for timed in [running] + burst:
            timed.join()
        assert_echo(running)
        if not outlasted(running, burst[-1].started):
            return False
        rejected = [t for t in burst if t.error is not None]
        served = [t for t in burst if t.error is None]
        assert rejected, "max_queue_size 2 let six queued requests through"
        assert len(served) >= 2
        for timed in rejected:
            message = str(timed.error)
            assert "Exceeds maximum queue size" in message, message
            assert "max_queue_size 2" in message and "db_queue_limit" in message, message
        for timed in served:
            assert_echo(timed)
        return True

    behind_a_slow_request(slow, scenario)


def test_reject_timeout_fires_while_the_instance_is_still_busy(batching_server, slow):
    def scenario(width):
        running = Timed(batching_server, "db_reject", width, 0)  # several times the queue timeout
        time.sleep(SETTLE_S)
        waiting = Timed(batching_server, "db_reject", FAST_WIDTH, 1).join()
        assert_echo(running.join())
        if not outlasted(running, waiting.started + 0.15):  # the queue timeout
            return False
        assert waiting.error is not None
        message = str(waiting.error)
        assert "Request timeout expired" in message and "db_reject" in message, message
        # Answered by the queue timer (0.15 s), not when the running request ended.
        assert waiting.ended < running.ended
        return True

    behind_a_slow_request(slow, scenario)


def test_request_timeout_with_delay_action_moves_the_request_back(batching_server, slow):
    # Queued requests run one at a time (max_batch_size 1) and take about
    # 0.1 s each, so their order shows in when they end, whatever the jitter
    # of the client threads' clocks.
    def scenario(width):
        medium = width // 2
        running = Timed(batching_server, "db_delay_policy", width, 0)
        time.sleep(SETTLE_S)
        delayed = Timed(batching_server, "db_delay_policy", medium, 1, timeout=20000)  # 20 ms
        time.sleep(SETTLE_S)
        on_time = Timed(batching_server, "db_delay_policy", medium, 2)
        for timed in (running, delayed, on_time):
            assert_echo(timed.join())  # DELAY never rejects
        if not outlasted(running, on_time.started):
            return False
        assert on_time.ended <= delayed.ended
        return True

    behind_a_slow_request(slow, scenario)


def test_higher_priority_is_served_first(batching_server, slow):
    # Queued requests run one at a time (max_batch_size 1) and take about
    # 0.1 s each, so their order shows in when they end, whatever the jitter
    # of the client threads' clocks.
    def scenario(width):
        medium = width // 2
        running = Timed(batching_server, "db_priority", width, 0)
        time.sleep(SETTLE_S)
        low = Timed(batching_server, "db_priority", medium, 1, priority=2)
        default = Timed(batching_server, "db_priority", medium, 2)  # default level 2
        time.sleep(SETTLE_S)
        high = Timed(batching_server, "db_priority", medium, 3, priority=1)
        for timed in (running, low, default, high):
            assert_echo(timed.join())
        if not outlasted(running, high.started):
            return False
        assert high.ended <= low.ended
        assert high.ended <= default.ended
        return True

    behind_a_slow_request(slow, scenario)


def test_bad_priority_parameter_is_refused(batching_server):
    # The stock client refuses to send this, so the request is hand-built.
    payload = {"inputs": [http_raw.json_input("INPUT0", "FP32", [1, 2], [0.5, 1.5])],
               "parameters": {"priority": "high"}}
    response = http_raw.post_json(batching_server, http_raw.infer_path("db_priority"), payload)
    assert response.status == 400
    assert response.error_text() == (
        "model 'db_priority': request parameter 'priority' must be a non-negative integer")


def test_preserve_ordering_holds_a_fast_response_behind_a_slow_earlier_one(batching_server, slow):
    def scenario(model, width):
        slow_request = Timed(batching_server, model, width, 0)
        time.sleep(SETTLE_S)
        fast = Timed(batching_server, model, FAST_WIDTH, 1)
        assert_echo(slow_request.join())
        assert_echo(fast.join())
        return slow_request, fast

    def ordered(width):
        # Two instances: the fast request runs at once on the second instance
        # but is answered only after the slow one that arrived first.
        slow_request, fast = scenario("db_ordered", width)
        if not outlasted(slow_request, fast.started):
            return False
        # The two answers leave the server back to back and two client
        # threads stamp them independently, so allow 50 ms; a fast request
        # that was not held back would end about SLOW_TARGET_S - SETTLE_S
        # earlier.
        assert fast.ended >= slow_request.ended - 0.05
        return True

    def unordered(width):
        # Without preserve_ordering the same pair finishes fast-first.
        slow_request, fast = scenario("db_two_instances", width)
        if not outlasted(slow_request, fast.started):
            return False
        assert fast.ended < slow_request.ended
        return True

    behind_a_slow_request(slow, ordered)
    behind_a_slow_request(slow, unordered)


def test_two_instances_execute_at_the_same_time(batching_server, client, slow):
    before = model_stats(client, "db_two_instances")
    start = time.monotonic()
    pair = [Timed(batching_server, "db_two_instances", slow.width, seed) for seed in (5, 6)]
    for timed in pair:
        assert_echo(timed.join())
    wall_ns = (time.monotonic() - start) * 1e9
    after = model_stats(client, "db_two_instances")
    executions = int(after["execution_count"]) - int(before["execution_count"])
    compute_ns = (int(after["inference_stats"]["compute_infer"]["ns"]) -
                  int(before["inference_stats"]["compute_infer"]["ns"]))
    assert executions == 2  # max_batch_size 1: no batching, one execution each
    # Serial executions would need at least the sum of their compute times.
    assert wall_ns < 0.9 * compute_ns, (wall_ns, compute_ns)


def cancelled_count(server, model):
    return scrape(server).value("nv_inference_request_failure", model=model, version="1", reason="CANCELED")


def assert_dropped_from_queue(server, client, stats_before, cancelled_before):
    """Exactly one queued request of db_priority was dropped as CANCELED
    and never executed, after the running request ended."""
    # The dropped request is answered (as a failure) when the batcher sees it.
    deadline = time.monotonic() + 10
    while cancelled_count(server, "db_priority") == cancelled_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cancelled_count(server, "db_priority") == cancelled_before + 1
    after = model_stats(client, "db_priority")
    # It never ran: one more execution (the running request), not two.
    assert int(after["execution_count"]) == int(stats_before["execution_count"]) + 1


def test_a_client_that_disconnects_has_its_queued_request_dropped(batching_server, client, slow):
    def scenario(width):
        before = model_stats(client, "db_priority")
        cancelled_before = cancelled_count(batching_server, "db_priority")
        running = Timed(batching_server, "db_priority", width, 0)
        time.sleep(SETTLE_S)
        # A raw HTTP request that queues behind the running one, then hangs up.
        body = json.dumps({"inputs": [http_raw.json_input("INPUT0", "FP32", [1, FAST_WIDTH], [0.5] * FAST_WIDTH)]})
        with socket.create_connection(("127.0.0.1", batching_server.http_port)) as sock:
            sent = time.monotonic()
            sock.sendall((f"POST /v2/models/db_priority/infer HTTP/1.1\r\nHost: x\r\n"
                          f"Content-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
            time.sleep(0.05)
        assert_echo(running.join())
        if not outlasted(running, sent):
            wait_for_quiet(batching_server, "db_priority")
            return False
        assert_dropped_from_queue(batching_server, client, before, cancelled_before)
        return True

    behind_a_slow_request(slow, scenario)


def test_a_grpc_call_past_its_deadline_is_dropped_from_the_queue(batching_server, client, slow):
    deadline_s = 0.25

    def scenario(width):
        before = model_stats(client, "db_priority")
        cancelled_before = cancelled_count(batching_server, "db_priority")
        # Connect first: under a sanitizer, opening the channel alone can take
        # longer than the deadline, and then the call never reaches the queue.
        triton = grpcclient.InferenceServerClient(batching_server.grpc_url)
        try:
            assert triton.is_server_live()
            running = Timed(batching_server, "db_priority", width, 0)
            time.sleep(SETTLE_S)
            data = np.full((1, FAST_WIDTH), 0.5, dtype=np.float32)
            tensor = grpcclient.InferInput("INPUT0", [1, FAST_WIDTH], "FP32")
            tensor.set_data_from_numpy(data)
            sent = time.monotonic()
            try:
                triton.infer("db_priority", [tensor], client_timeout=deadline_s)
                error = None
            except InferenceServerException as raised:
                error = raised
        finally:
            triton.close()
        assert_echo(running.join())
        if not outlasted(running, sent + deadline_s):
            wait_for_quiet(batching_server, "db_priority")
            return False
        assert error is not None, "the call outlived its deadline"
        assert "Deadline" in str(error) or "DEADLINE" in str(error), error
        assert_dropped_from_queue(batching_server, client, before, cancelled_before)
        return True

    behind_a_slow_request(slow, scenario)


def wait_for_quiet(server, model):
    """Lets a request left over from a run that did not count finish, so that
    the next run's statistics start from rest."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if scrape(server).value("nv_inference_pending_request_count", model=model, version="1") == 0:
            return
        time.sleep(0.05)
