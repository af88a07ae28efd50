"""Large tensors between the server and a Python model's process go through
shared memory (copied once each way, read in place), with the stock clients:
the bytes arrive intact over HTTP and gRPC and through BLS, blocks are given
back and reused, inputs a model keeps are never overwritten (a full region
falls back to the socket), and shm-region-byte-size is honoured or refused
with a reason."""

import threading

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from models import python_models as pm
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(300)

ELEMENTS = 262144  # FP32: 1 MiB, well above the 64 KiB from which payloads go through shared memory
REGION_MIB = 16    # the default region size


@pytest.fixture(scope="module")
def shm_server(inferd_binary, tmp_path_factory):
    repo = tmp_path_factory.mktemp("shm_repo")
    for name in ("where", "where_kept", "where_concurrent", "where_forked"):
        pm.write_python_model(repo, name, pm.WHERE, pm.where_config(name))
    pm.write_python_model(repo, "where_socket", pm.WHERE, pm.where_config(
        "where_socket", 'parameters { key: "shm-region-byte-size" value: { string_value: "0" } }\n'))
    pm.write_python_model(repo, "where_bad_size", pm.WHERE, pm.where_config(
        "where_bad_size", 'parameters { key: "shm-region-byte-size" value: { string_value: "lots" } }\n'))
    pm.write_python_model(repo, "bls_where", pm.BLS_WHERE, pm.where_config("bls_where"))
    server = InferdServer([repo], tmp_path_factory.mktemp("shm_server") / "inferd.log", binary=inferd_binary)
    try:
        start_or_fail(server)
        yield server
    finally:
        server.stop()


def data(seed, elements=ELEMENTS):
    return np.random.default_rng(seed).random(elements, dtype=np.float32)


def infer_http(client, model, sent, **parameters):
    tensor = httpclient.InferInput("INPUT0", [sent.size], "FP32")
    tensor.set_data_from_numpy(sent, binary_data=True)
    result = client.infer(model, [tensor], parameters=parameters or None)
    return result.as_numpy("OUTPUT0"), result.as_numpy("WHERE")[0].decode(), bool(result.as_numpy("KEPT_INTACT")[0])


def echoed_from(server, model, sent, **parameters):
    """Sends `sent` over HTTP, checks that it came back intact, and says where the model found it."""
    http = httpclient.InferenceServerClient(url=server.url)
    received, where, _ = infer_http(http, model, sent, **parameters)
    np.testing.assert_array_equal(received, sent)
    return where


def test_a_large_tensor_goes_both_ways_intact_over_http_and_grpc(shm_server):
    sent = data(1)
    assert echoed_from(shm_server, "where", sent) == "shared"
    grpc = grpcclient.InferenceServerClient(url=shm_server.grpc_url)
    tensor = grpcclient.InferInput("INPUT0", [ELEMENTS], "FP32")
    tensor.set_data_from_numpy(sent)
    result = grpc.infer("where", [tensor])
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), sent)
    assert result.as_numpy("WHERE")[0] == b"shared"


def test_a_small_tensor_goes_through_the_socket(shm_server):
    assert echoed_from(shm_server, "where", data(2, elements=16)) == "socket"


def test_blocks_are_given_back_and_reused(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    # Four times the region, one after another: only reuse makes room.
    for seed in range(4 * REGION_MIB):
        sent = data(seed)
        received, where, _ = infer_http(http, "where", sent)
        np.testing.assert_array_equal(received, sent)
        assert where == "shared", f"request {seed} did not find room in the region"


def test_concurrent_large_requests_get_their_own_bytes(shm_server):
    failures = []

    def run(index):
        client = httpclient.InferenceServerClient(url=shm_server.url)
        try:
            for round_ in range(6):
                sent = data(1000 * index + round_)
                received, _, _ = infer_http(client, "where_concurrent", sent)
                if not np.array_equal(received, sent):
                    failures.append((index, round_))
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    # Afterwards the region is free again.
    http = httpclient.InferenceServerClient(url=shm_server.url)
    assert infer_http(http, "where_concurrent", data(7))[1] == "shared"


def test_inputs_a_model_keeps_are_never_overwritten_and_a_full_region_falls_back_to_the_socket(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    places = []
    for seed in range(REGION_MIB + 4):
        sent = data(100 + seed)
        received, where, intact = infer_http(http, "where_kept", sent, keep=True)
        np.testing.assert_array_equal(received, sent)
        assert intact, f"an input the model kept changed by request {seed}"
        places.append(where)
    # The kept blocks fill the region: the first requests lay in it, the last ones came by socket.
    assert places[0] == "shared" and places[-1] == "socket", places
    # And requests that keep nothing still work.
    sent = data(999)
    received, _, intact = infer_http(http, "where_kept", sent)
    np.testing.assert_array_equal(received, sent)
    assert intact


def test_a_process_that_dies_holding_a_block_is_replaced_with_fresh_regions(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    with pytest.raises(InferenceServerException) as raised:
        infer_http(http, "where_concurrent", data(5), exit=True)
    assert "exited with status 3" in str(raised.value), raised.value
    # The next process gets regions of its own, empty.
    for seed in range(3):
        assert echoed_from(shm_server, "where_concurrent", data(50 + seed)) == "shared"


def test_a_model_cannot_shrink_the_regions_under_the_server(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    infer_http(http, "where_concurrent", data(60, elements=16), truncate=True)
    # A shrunk region would make the server's next copy into it fault (SIGBUS).
    assert echoed_from(shm_server, "where_concurrent", data(61)) == "shared"
    assert shm_server.process.poll() is None


def test_a_forked_child_does_not_release_the_parents_blocks(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    kept = data(70)
    # The child inherits the input's finalizer: were it to run there, the
    # parent's block would go back to the server while the model keeps it.
    _, where, intact = infer_http(http, "where_forked", kept, keep=True, fork=True)
    assert where == "shared" and intact
    for seed in range(2 * REGION_MIB):
        received, _, intact = infer_http(http, "where_forked", data(71 + seed))
        assert intact, f"the kept input changed by request {seed}"


def test_bls_with_large_tensors_goes_through_shared_memory(shm_server):
    # WHERE here is where the calling model found the BLS answer.
    assert echoed_from(shm_server, "bls_where", data(3), target="where") == "shared"


def test_a_region_size_of_zero_sends_everything_through_the_socket(shm_server):
    assert echoed_from(shm_server, "where_socket", data(4)) == "socket"


def test_a_bad_region_size_makes_the_model_unavailable_with_the_reason(shm_server):
    http = httpclient.InferenceServerClient(url=shm_server.url)
    row = next(r for r in http.get_model_repository_index() if r["name"] == "where_bad_size")
    assert row["state"] == "UNAVAILABLE"
    assert "shm-region-byte-size" in row["reason"] and "'lots'" in row["reason"], row["reason"]
